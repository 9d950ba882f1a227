package dev.pgcorral.lock.runtime;

import java.sql.Connection;
import java.sql.SQLException;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * One PostgreSQL server of the pool, whatever runs it. Implementations are thread-safe;
 * {@link #start()} and {@link #stop()} are called by one thread at a time per instance.
 */
public interface PostgresInstance {

    /** 1-based position in the pool. */
    int index();

    /** The port clients connect to. */
    int port();

    /** PostgreSQL major version, e.g. 15. */
    int majorVersion();

    String version();

    /** How pgcorral itself reaches {@code database} as the superuser. */
    ConnectionDetails adminDetails(String database);

    /** A new connection to {@code database} as the superuser. */
    default Connection connect(String database) throws SQLException {
        return adminDetails(database).connect();
    }

    /** What a lease holder is given for {@code database}: the advertised host and the pool's user. */
    ConnectionDetails clientDetails(String database);

    /** Starts the server (a fresh one unless data is kept) and returns once it accepts connections. */
    void start();

    /** Stops the server (restart, recovery): its data goes with it. */
    void stop();

    /** lock-service is shutting down: stop, unless configured to leave the server running. */
    default void shutdown() {
        stop();
    }

    boolean isAlive();

    /** Called once per unexpected exit of the server. */
    void onUnexpectedExit(Runnable listener);

    /** The last {@code lines} lines of the server's log. */
    String logs(int lines);
}
