package dev.pgcorral.lock.api.front;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.api.ClientConnections;
import dev.pgcorral.lock.api.PgflockProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * lock-service's public port (9191 by default), on Netty's event loops: a few threads serve every
 * connection, however many locks are held or queued. pgflock's endpoints are answered here; every
 * other request (/api/v1, /actuator, /ws) is passed on to the servlet container listening on loopback.
 *
 * <p>Why pgflock's /lock is not served by the servlet container: with pgflock the lock <em>is</em> the
 * open connection, so the server must notice at once when a client closes it, also while the client
 * is still queued and nothing has been written. A servlet cannot see a closed connection without
 * writing to it, and pgflock's response has no room for heartbeat bytes before its first line; an
 * event loop sees the close as soon as it arrives.
 */
public final class Front implements AutoCloseable {

    /** Request line, and all header lines together. */
    static final int MAX_HEAD = 32 * 1024;

    private static final Logger log = LoggerFactory.getLogger(Front.class);

    /** Accepts and serves connections: a new one is often registered on the loop that accepted it. */
    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("front-io", true), NioIoHandler.newFactory());
    private final ExecutorService workers;
    private final Channel server;

    public Front(LockProperties properties, PgflockProtocol pgflock, ClientConnections connections, JsonMapper json,
                 int servletPort) throws IOException {
        AtomicInteger workerCount = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "front-worker-" + workerCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        FrontContext front = new FrontContext(pgflock, connections, new Replies(json),
                new HeadWaiters(properties.front().maxUnauthenticated()), workers,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), servletPort), properties.front().headTimeout(),
                new Semaphore(properties.front().maxWebSockets()));
        HttpDecoderConfig decoding = new HttpDecoderConfig().setMaxInitialLineLength(MAX_HEAD).setMaxHeaderSize(MAX_HEAD);
        ServerBootstrap bootstrap = new ServerBootstrap().group(io).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("http", new HttpServerCodec(decoding)).addLast("router", new RequestRouter(front));
                    }
                });
        String bind = properties.bindAddress();
        InetSocketAddress address = bind == null || bind.isBlank() ? new InetSocketAddress(properties.port())
                : new InetSocketAddress(InetAddress.getByName(bind), properties.port());
        try {
            this.server = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // a bind failure is a checked exception Netty throws undeclared
            close();
            throw new IOException("cannot listen on port " + properties.port() + " (" + e.getMessage()
                    + "); is another lock-service or pgflock running? Set pgcorral.lock.port to another port", e);
        }
        log.info("lock-service listening on port {} (pgflock protocol, /api/v1, /actuator, /ws)", port());
    }

    /** The port actually listened on (differs from the configured one when that is 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownNow();
    }
}
