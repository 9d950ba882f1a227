package dev.pgcorral.common.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting until a PostgreSQL server that is starting accepts connections. */
public final class Readiness {

    /** How long one attempt to connect lasts at most. */
    private static final Duration ATTEMPT = Duration.ofSeconds(10);

    private Readiness() {
    }

    /**
     * Returns once {@code details} can be connected to. Refused connections and "the database system
     * is starting up" are waited out; any other error, a server that stopped running, or the timeout
     * ends the wait with an {@link IllegalStateException} saying why. No attempt outlasts the timeout, also where
     * something accepts the connection and never answers (a container's port proxy before the container's network works).
     */
    public static void await(ConnectionDetails details, BooleanSupplier running, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!running.getAsBoolean()) {
                throw new IllegalStateException("the server stopped while starting");
            }
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            try (Connection ignored = details.connectWithin(left.compareTo(ATTEMPT) < 0 ? left : ATTEMPT)) {
                return;
            } catch (SQLException e) {
                last = e;
                if (!stillStarting(e)) {
                    throw new IllegalStateException("the server refuses connections: " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the server");
            }
        }
        throw new IllegalStateException("the server did not accept connections within " + timeout.toSeconds() + " s ("
                + (last == null ? "no attempt" : last.getMessage()) + ")");
    }

    private static boolean stillStarting(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || "57P03".equals(state);
    }
}
