package dev.pgcorral.lock.api;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * lock-service's public port (9191 by default). pgflock's endpoints are answered here, on the raw
 * socket; every other request (/api/v1, /actuator, /ws) is passed through to the embedded servlet
 * container listening on loopback.
 *
 * <p>Why not serve pgflock's /lock from the servlet container: with pgflock the lock <em>is</em> the
 * open connection, so the server must notice at once when a client closes it, also while the client
 * is still queued and nothing has been written. A servlet cannot see a closed connection without
 * writing to it, and pgflock's response has no room for heartbeat bytes before its first line. Here
 * a thread blocks reading the socket and sees the close as end-of-stream.
 */
public final class FrontServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FrontServer.class);
    private static final int MAX_CONNECTIONS = 4096;
    private static final int HEAD_TIMEOUT_MS = 30_000;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "upgrade", "http2-settings");

    private final PgflockProtocol pgflock;
    private final InetSocketAddress servletContainer;
    private final ServerSocket serverSocket;
    private final ExecutorService connections;
    private final Semaphore capacity = new Semaphore(MAX_CONNECTIONS);
    private volatile boolean closed;

    public FrontServer(String bindAddress, int port, PgflockProtocol pgflock, int servletPort) throws IOException {
        this.pgflock = pgflock;
        this.servletContainer = new InetSocketAddress(InetAddress.getLoopbackAddress(), servletPort);
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        try {
            serverSocket.bind(new InetSocketAddress(bindAddress == null || bindAddress.isBlank() ? null
                    : InetAddress.getByName(bindAddress), port), 1024);
        } catch (IOException e) {
            serverSocket.close();
            throw new IOException("cannot listen on port " + port + " (" + e.getMessage()
                    + "); is another lock-service or pgflock running? Set pgcorral.lock.port to another port", e);
        }
        AtomicInteger counter = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "front-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Thread acceptor = new Thread(this::acceptLoop, "front-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("lock-service listening on port {} (pgflock protocol, /api/v1, /actuator, /ws)", port());
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (!capacity.tryAcquire()) {
                connections.execute(() -> refuse(socket));
                continue;
            }
            connections.execute(() -> {
                try {
                    serve(socket);
                } finally {
                    capacity.release();
                }
            });
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.setSoTimeout(HEAD_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            RawExchange exchange;
            try {
                exchange = RawExchange.read(socket, in, out);
            } catch (RawExchange.BadRequest e) {
                writeQuietly(out, e.status, e.getMessage());
                lingeringClose(socket, in);
                return;
            }
            if (exchange == null) {
                return;
            }
            if (PgflockProtocol.PATHS.contains(exchange.path)) {
                try {
                    pgflock.handle(exchange);
                } catch (RawExchange.BadRequest e) {
                    writeQuietly(out, e.status, e.getMessage());
                    lingeringClose(socket, in);
                }
            } else {
                forward(exchange);
            }
        } catch (SocketException e) {
            log.trace("connection closed: {}", e.getMessage());
        } catch (IOException e) {
            log.debug("connection failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("unexpected failure serving a request", e);
        }
    }

    /** Passes the request, and the rest of the connection, to the servlet container. */
    private void forward(RawExchange exchange) throws IOException {
        Socket upstream = new Socket();
        try (upstream) {
            try {
                upstream.connect(servletContainer, 5_000);
            } catch (IOException e) {
                writeQuietly(exchange.out, 502, "lock-service's web container is not reachable: " + e.getMessage());
                return;
            }
            upstream.setTcpNoDelay(true);
            exchange.socket.setSoTimeout(0);
            OutputStream toUpstream = upstream.getOutputStream();
            toUpstream.write(forwardedHead(exchange).getBytes(StandardCharsets.ISO_8859_1));
            toUpstream.flush();
            Thread requestPump = new Thread(() -> {
                try {
                    exchange.in.transferTo(toUpstream);
                } catch (IOException ignored) {
                    // either side closed
                } finally {
                    try {
                        upstream.shutdownOutput();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }, "front-pump");
            requestPump.setDaemon(true);
            requestPump.start();
            try {
                upstream.getInputStream().transferTo(exchange.socket.getOutputStream());
            } catch (IOException ignored) {
                // either side closed
            }
        }
    }

    /**
     * The head as received, except that a plain request asks for {@code Connection: close}: each
     * connection then carries one request, so a later pgflock request is never passed through by mistake.
     * WebSocket upgrades keep their headers and stay connected; other upgrades (h2c) are declined.
     */
    private static String forwardedHead(RawExchange exchange) {
        boolean upgrade = "websocket".equalsIgnoreCase(exchange.header("upgrade"));
        StringBuilder head = new StringBuilder(exchange.method + " " + exchange.target + " " + exchange.version + "\r\n");
        for (Map.Entry<String, String> h : exchange.headers) {
            if (!upgrade && HOP_BY_HOP.contains(h.getKey())) {
                continue;
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (!upgrade) {
            head.append("connection: close\r\n");
        }
        head.append("x-forwarded-for: ").append(exchange.socket.getInetAddress().getHostAddress()).append("\r\n\r\n");
        return head.toString();
    }

    /**
     * After an early error answer the client may still be sending; closing with unread input would
     * reset the connection and could destroy the answer. Read (and drop) what comes, briefly.
     */
    private static void lingeringClose(Socket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(1_000);
            byte[] sink = new byte[8192];
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // dropped
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void refuse(Socket socket) {
        try (socket) {
            writeQuietly(socket.getOutputStream(), 503, "Too many connections");
        } catch (IOException ignored) {
            // nothing to tell
        }
    }

    private static void writeQuietly(OutputStream out, int status, String message) {
        try {
            RawExchange.write(out, status, "text/plain; charset=utf-8", message + "\n");
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.shutdownNow();
    }
}
