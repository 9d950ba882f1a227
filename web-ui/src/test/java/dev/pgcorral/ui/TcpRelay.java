package dev.pgcorral.ui;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server that goes away and comes back, for whoever reaches it through this relay: a loopback port of its own
 * that passes every connection on to the server's port, until {@link #cut()} drops them all and refuses new
 * ones; {@link #open()} takes connections on the same port again.
 */
final class TcpRelay implements AutoCloseable {

    final int port;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;

    TcpRelay(int target) throws IOException {
        this.target = target;
        this.port = ServiceProcess.freePort();
        open();
    }

    synchronized void open() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = s;
        daemon("relay-" + port, () -> accept(s));
    }

    /** Drops every connection through the relay; a new one is refused until {@link #open()}. */
    synchronized void cut() {
        closeQuietly(listener);
        sockets.forEach(TcpRelay::closeQuietly);
        sockets.clear();
    }

    @Override
    public void close() {
        cut();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                try {
                    relay(s, in, new Socket(InetAddress.getLoopbackAddress(), target));
                } catch (IOException refused) {
                    closeQuietly(in);
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private synchronized void relay(ServerSocket s, Socket in, Socket out) {
        if (s != listener || s.isClosed()) {
            closeQuietly(in);
            closeQuietly(out);
            return;
        }
        sockets.add(in);
        sockets.add(out);
        daemon("relay-in-" + port, () -> pipe(in, out));
        daemon("relay-out-" + port, () -> pipe(out, in));
    }

    private void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ended) {
            // one side went away or was cut: both are closed below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // closed already
        }
    }
}
