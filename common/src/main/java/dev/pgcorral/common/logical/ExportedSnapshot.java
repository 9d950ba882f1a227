package dev.pgcorral.common.logical;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;

import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;

/**
 * A slot just created and the snapshot it exported: the database exactly as of
 * {@link #consistentPoint()}, where a stream from the slot begins. Read it with
 * {@link #beginTransaction(Connection)} on as many connections as you like (a parallel base copy)
 * while this object is open; it holds the replication connection that keeps the snapshot alive.
 * Close it once every reader has begun its transaction (they keep their view), or when done.
 * Thread-safe.
 */
public final class ExportedSnapshot implements AutoCloseable {

    private final String slot;
    private final Lsn consistentPoint;
    private final String snapshotName;
    private final PGConnection holder;

    ExportedSnapshot(String slot, Lsn consistentPoint, String snapshotName, PGConnection holder) {
        this.slot = slot;
        this.consistentPoint = consistentPoint;
        this.snapshotName = snapshotName;
        this.holder = holder;
    }

    public String slot() {
        return slot;
    }

    /** The first position a stream from the slot delivers changes after. */
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    /** For {@code SET TRANSACTION SNAPSHOT} or {@code pg_dump --snapshot}. */
    public String snapshotName() {
        return snapshotName;
    }

    /**
     * Starts a REPEATABLE READ, read-only transaction on {@code connection} (a normal connection to the
     * slot's database) that sees the database exactly at the consistent point. Commit or roll it back
     * when done.
     */
    public void beginTransaction(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
        try (Statement st = connection.createStatement()) {
            st.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshotName));
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }

    public boolean isOpen() {
        try {
            return !((Connection) holder).isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    /** Ends the snapshot (transactions already begun keep it); the slot stays. */
    @Override
    public void close() {
        ReplicationConnections.closeQuietly(holder);
    }
}
