package dev.pgcorral.migration.follow;

import java.sql.SQLException;

import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * Tells the source what the destination has on disk, where the apply's commits return before their WAL is written: on the
 * lag probe's thread, the origin's flushed position is read (the destination's WAL flushed up to the last commit if its
 * WAL writer has not done so yet) on a connection of its own, and acknowledged to the stream. So the apply never waits
 * for the destination's disk, as a subscription's apply does not. A fault here is only retried at the next look: the apply's
 * own session meets the destination's faults and says them.
 */
final class FlushAcknowledger implements AutoCloseable {

    private final String origin;
    private final ProbeConnection connection;
    /** What was last acknowledged from here. */
    private Lsn acknowledged = Lsn.INVALID;

    FlushAcknowledger(ConnectionDetails destination, String origin, String migrationId) {
        this.origin = origin;
        this.connection = new ProbeConnection(destination, "pgcorral flush watch " + migrationId);
    }

    /** Acknowledges to {@code stream} what is on the destination's disk, when the apply committed more since the last time. */
    void acknowledge(Lsn applied, ChangeStream stream) {
        if (stream == null || !applied.isAfter(acknowledged)) {
            return;
        }
        try {
            Lsn flushed = Origins.flushed(connection.get(), origin);
            stream.acknowledge(flushed);
            acknowledged = flushed;
        } catch (SQLException e) {
            connection.close(); // opened again at the next look
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
