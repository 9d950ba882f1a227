package dev.pgcorral.lock.api.front;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.api.ClientConnections;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Passes one request, and its response, between a client and the servlet container (/api/v1,
 * /actuator, /ws), streaming both bodies: each side is read only once what was read from it has been
 * written to the other. A connection carries one request (the container is asked to close after it),
 * so a later pgflock request is never passed on by mistake; after the request the client is only
 * watched, so the container's code learns through {@link ClientConnections} when it leaves. A
 * WebSocket upgrade switches, after the 101, to relaying raw bytes both ways; other upgrades (h2c) are
 * declined by not passing them on.
 */
final class TomcatProxy extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TomcatProxy.class);
    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            "proxy-connection", HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, "http2-settings");

    private final FrontContext front;
    private final String path;
    private Channel client;
    private Channel upstream;
    /** What the client sent before the container's connection was open. */
    private final Queue<Object> early = new ArrayDeque<>();
    private boolean webSocket;
    /** The whole request was received from the client. */
    private boolean requestComplete;
    /** Relaying raw bytes after a WebSocket upgrade. */
    private boolean switched;

    TomcatProxy(FrontContext front, String path) {
        this.front = front;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (switched) {
            upstream.writeAndFlush(msg).addListener(readMore(client));
        } else if (requestComplete) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof HttpRequest request) {
            start(ctx, request);
        } else if (msg instanceof HttpContent content) {
            forward(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(ChannelHandlerContext ctx, HttpRequest request) {
        client = ctx.channel();
        client.config().setAutoRead(false);
        if (isWebSocket(request)) {
            if (!front.webSockets().tryAcquire()) {
                ReferenceCountUtil.release(request);
                front.replies().error(client, path, 503, "too many live status connections are open; close one, or raise "
                        + "pgcorral.lock.front.max-web-sockets");
                requestComplete = true;
                return;
            }
            client.closeFuture().addListener(closed -> front.webSockets().release());
        }
        String connection = front.connections().opened();
        client.closeFuture().addListener(closed -> {
            front.connections().closed(connection);
            if (upstream != null) {
                upstream.close();
            }
        });
        webSocket = prepare(request, connection, client.remoteAddress());
        early.add(request);
        new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast("http", new HttpClientCodec()).addLast("relay", new Upstream());
                    }
                })
                .connect(front.servlet())
                .addListener((ChannelFuture connect) -> connected(connect));
    }

    /**
     * Hop-by-hop headers are dropped (and so upgrades other than WebSocket declined); the container is
     * told the client's address and the front's id of this connection, which replaces any the client sent.
     *
     * @return whether this is a WebSocket upgrade
     */
    private static boolean prepare(HttpRequest request, String connection, SocketAddress client) {
        HttpHeaders headers = request.headers();
        String upgrade = headers.get(HttpHeaderNames.UPGRADE);
        boolean webSocket = isWebSocket(request);
        HOP_BY_HOP.forEach(headers::remove);
        if (webSocket) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgrade);
        } else {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        headers.set(ClientConnections.HEADER, connection);
        if (client instanceof InetSocketAddress address) {
            headers.add("X-Forwarded-For", address.getAddress().getHostAddress());
        }
        return webSocket;
    }

    private static boolean isWebSocket(HttpRequest request) {
        String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
        return HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(upgrade == null ? "" : upgrade);
    }

    private void connected(ChannelFuture connect) {
        if (!connect.isSuccess()) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            front.replies().error(client, path, 502, "lock-service's web container is not reachable: " + connect.cause().getMessage());
            return;
        }
        upstream = connect.channel();
        if (!client.isActive()) {
            upstream.close();
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            return;
        }
        while (!early.isEmpty()) {
            upstream.write(early.poll());
        }
        upstream.flush();
        upstream.read();
        if (requestComplete) {
            watchClient();
        } else {
            client.read();
        }
    }

    private void forward(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        requestComplete |= last;
        if (upstream == null) {
            early.add(content);
            return;
        }
        upstream.writeAndFlush(content).addListener((ChannelFuture written) -> {
            if (!written.isSuccess()) {
                client.close();
            } else if (!last) {
                client.read();
            }
        });
        if (last) {
            watchClient();
        }
    }

    /**
     * After the request: read on, dropping what comes, to see the client leave. Not for a WebSocket
     * upgrade, whose next bytes are frames, read once the 101 has switched the connection to raw bytes.
     */
    private void watchClient() {
        if (!webSocket) {
            client.config().setAutoRead(true);
        }
    }

    private static ChannelFutureListener readMore(Channel source) {
        return written -> {
            if (written.isSuccess()) {
                source.read();
            } else {
                written.channel().close();
                source.close();
            }
        };
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection to {} failed: {}", path, cause.toString());
        ctx.close();
    }

    /** The container's side: its response goes back to the client as it comes. */
    private final class Upstream extends ChannelInboundHandlerAdapter {

        private boolean responseStarted;
        /** The response is complete; the connection to the container is closed on purpose. */
        private boolean ended;
        private boolean informational;
        private boolean switching;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (switched) {
                client.writeAndFlush(msg).addListener(readMore(upstream));
                return;
            }
            if (msg instanceof HttpResponse response) {
                responseStarted = true;
                informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
                switching = response.status().code() == 101;
                if (switching && !webSocket) {
                    ReferenceCountUtil.release(msg);
                    client.close();
                    return;
                }
            }
            boolean last = msg instanceof LastHttpContent;
            boolean end = last && !informational;
            ChannelFuture written = client.writeAndFlush(msg);
            if (last && switching) {
                switchToRawBytes();
            } else if (end) {
                ended = true;
                Replies.end(written);
                upstream.close();
            } else {
                written.addListener(readMore(upstream));
            }
            if (last) {
                informational = false;
            }
        }

        /** The 101 is out: from now on both sides speak WebSocket, which is relayed byte for byte. */
        private void switchToRawBytes() {
            switched = true;
            client.pipeline().remove(HttpServerCodec.class);
            upstream.pipeline().remove(HttpClientCodec.class);
            client.read();
            upstream.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ended) {
                return;
            }
            if (!responseStarted) {
                front.replies().error(client, path, 502, "lock-service's web container closed the connection without an answer");
            } else if (switched) {
                client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                client.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("connection to the web container for {} failed: {}", path, cause.toString());
            ctx.close();
        }
    }
}
