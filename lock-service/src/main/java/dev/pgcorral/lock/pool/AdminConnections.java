package dev.pgcorral.lock.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;

import dev.pgcorral.lock.runtime.PostgresInstance;

/**
 * Superuser connections to one server's {@code postgres} database, reused across resets. Every
 * statement on them is bounded: a {@code DROP} blocked by a lock, a server that stops answering, or a
 * copy that hangs fails instead of holding a worker for good.
 */
final class AdminConnections {

    interface SqlWork<T> {
        T run(Connection admin) throws SQLException;
    }

    /** How long an admin statement waits for a lock (a session that will not go, say). */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);
    /** How long one admin statement may run: a database copy from a large template included. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(5);
    /** How long the driver waits for any answer from the server, beyond the statement timeout. */
    private static final Duration NETWORK_TIMEOUT = STATEMENT_TIMEOUT.plusSeconds(30);
    private static final Executor CLOSER = Runnable::run;

    private final PostgresInstance instance;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    AdminConnections(PostgresInstance instance) {
        this.instance = instance;
    }

    /** Runs {@code work} on an admin connection; a connection that failed is dropped. */
    <T> T with(SqlWork<T> work) throws SQLException {
        Connection admin = idle.pollFirst();
        if (admin == null || admin.isClosed()) {
            admin = open();
        }
        try {
            T result = work.run(admin);
            idle.addFirst(admin);
            return result;
        } catch (SQLException | RuntimeException e) {
            close(admin);
            throw e;
        }
    }

    /** Closes the idle connections (before the server stops or restarts). */
    void closeAll() {
        Connection admin;
        while ((admin = idle.pollFirst()) != null) {
            close(admin);
        }
    }

    private Connection open() throws SQLException {
        Connection admin = instance.connect("postgres");
        try (Statement st = admin.createStatement()) {
            admin.setNetworkTimeout(CLOSER, (int) NETWORK_TIMEOUT.toMillis());
            st.execute("SET lock_timeout = " + LOCK_TIMEOUT.toMillis());
            st.execute("SET statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
            st.execute("SET application_name = 'pgcorral lock-service'");
        } catch (SQLException | RuntimeException e) {
            close(admin);
            throw e;
        }
        return admin;
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server may be gone already
        }
    }
}
