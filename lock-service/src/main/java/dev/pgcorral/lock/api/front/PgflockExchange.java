package dev.pgcorral.lock.api.front;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.api.PgflockProtocol;
import dev.pgcorral.lock.pool.Acquisition;
import dev.pgcorral.lock.pool.Lease;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * One request to a pgflock endpoint on one connection. {@code GET /lock} queues at once and holds the
 * connection: the response head and the connection string go out together when the lease is granted,
 * the response never ends while the lease lives, and the connection closing (queued or holding) gives
 * the request up. Every other endpoint is answered on a worker, since a restart blocks.
 */
final class PgflockExchange extends ChannelInboundHandlerAdapter {

    /** The largest body accepted (pgflock's bodies are connection strings). */
    static final int MAX_BODY = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(PgflockExchange.class);

    private final FrontContext front;
    private final String path;
    private Map<String, String> params;
    private ByteBuf body;
    /** The request is complete, or answered: what else comes is dropped. */
    private boolean done;

    PgflockExchange(FrontContext front, String path) {
        this.front = front;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!done && msg instanceof HttpRequest request) {
                head(ctx, request);
            }
            if (!done && msg instanceof HttpContent content) {
                content(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void head(ChannelHandlerContext ctx, HttpRequest request) {
        params = query(request.uri());
        PgflockProtocol.Reply refusal = front.pgflock().refusal(request.method().name(), path, params,
                request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (refusal != null) {
            answer(ctx, refusal);
        } else if (path.equals("/lock")) {
            done = true;
            lock(ctx.channel());
        } else if (front.pgflock().readsBody(path)) {
            if (HttpUtil.getContentLength(request, -1L) > MAX_BODY) {
                answer(ctx, PgflockProtocol.Reply.text(413, "Request body too large"));
                return;
            }
            if (HttpUtil.is100ContinueExpected(request)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
            body = ctx.alloc().buffer();
        }
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            answer(ctx, PgflockProtocol.Reply.text(400, "Malformed request body: " + content.decoderResult().cause().getMessage()));
            return;
        }
        if (body != null) {
            if (body.readableBytes() + content.content().readableBytes() > MAX_BODY) {
                answer(ctx, PgflockProtocol.Reply.text(413, "Request body too large"));
                return;
            }
            body.writeBytes(content.content());
        }
        if (content instanceof LastHttpContent) {
            done = true;
            String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
            releaseBody();
            Channel channel = ctx.channel();
            front.workers().execute(() -> front.replies().send(channel, answerSafely(text)));
        }
    }

    private PgflockProtocol.Reply answerSafely(String body) {
        try {
            return front.pgflock().answer(path, params, body);
        } catch (RuntimeException e) {
            log.error("{} failed", path, e);
            return PgflockProtocol.Reply.text(500, "Internal error: " + e.getMessage());
        }
    }

    private void lock(Channel channel) {
        Acquisition acquisition = front.pgflock().lock(params);
        channel.closeFuture().addListener(closed -> acquisition.abandon());
        acquisition.granted().whenComplete((lease, failure) -> channel.eventLoop().execute(() -> {
            if (failure != null) {
                PgflockProtocol.Reply reply = front.pgflock().lockFailure(failure);
                if (reply != null) {
                    front.replies().send(channel, reply);
                }
            } else {
                hold(channel, lease);
            }
        }));
    }

    /** Head and first line in one flush, no length: the response lasts as long as the lease. */
    private void hold(Channel channel, Lease lease) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .set("Content-Type", "text/plain; charset=utf-8")
                .set("Cache-Control", "no-store")
                .set("Connection", "close");
        front.pgflock().lockHeaders(lease).forEach(response.headers()::set);
        channel.write(response, channel.voidPromise());
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(front.pgflock().lockLine(lease), StandardCharsets.UTF_8)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        lease.ended().thenRun(channel::close);
    }

    private void answer(ChannelHandlerContext ctx, PgflockProtocol.Reply reply) {
        done = true;
        releaseBody();
        front.replies().send(ctx.channel(), reply);
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseBody();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("pgflock connection failed: {}", cause.toString());
        ctx.close();
    }

    /** The first value of each query parameter; none when the query cannot be decoded (then auth fails). */
    private static Map<String, String> query(String uri) {
        Map<String, String> params = new HashMap<>();
        try {
            QueryStringDecoder decoder = QueryStringDecoder.builder().semicolonIsNormalChar(true).build(uri);
            for (Map.Entry<String, List<String>> param : decoder.parameters().entrySet()) {
                params.put(param.getKey(), param.getValue().get(0));
            }
        } catch (IllegalArgumentException e) {
            params.clear();
        }
        return params;
    }
}
