package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The connections a run works on (not the one holding its snapshot): a stop aborts them all, so a statement
 * waiting on a lock or a COPY in flight ends at once rather than at the run's next step.
 */
final class RunConnections {

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    /** Opens a connection to {@code details}; {@code which} names it in the error ("source", "destination"). */
    Connection open(ConnectionDetails details, String which) throws SQLException {
        if (aborted) {
            throw new CloneCancelledException();
        }
        Connection c;
        try {
            c = details.connect();
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + which + " " + details.redacted() + ": " + e.getMessage(), e.getSQLState(), e);
        }
        open.add(c);
        if (aborted) {
            abort(c);
        }
        return c;
    }

    void close(Connection c) {
        if (c == null) {
            return;
        }
        open.remove(c);
        try {
            c.close();
        } catch (SQLException ignored) {
            // gone already
        }
    }

    void abortAll() {
        aborted = true;
        open.forEach(RunConnections::abort);
    }

    private static void abort(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException ignored) {
            // closed already
        }
    }
}
