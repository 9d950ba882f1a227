package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.BooleanSupplier;

import dev.pgcorral.common.logical.ExportedSnapshot;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * One view of the source for a whole clone, exported by the connection that holds it open: a replication
 * slot's snapshot ({@link #of(ExportedSnapshot)}: the clone then ends exactly where the slot's stream
 * begins), or, for a clone that is not followed, a REPEATABLE READ transaction that ran
 * {@code pg_export_snapshot()} ({@link #export}). Every copy worker and {@code pg_dump} import it, so the
 * schema, every table and every sequence are read as of the same instant. It lives while this object is
 * open: a clone that fails part-way can retry tables on it, and one started after the service stopped
 * cannot (it starts over).
 */
public final class CloneSnapshot implements AutoCloseable {

    /** Where a clone's snapshot comes from: taken when a clone begins (not when it resumes on a kept one). */
    @FunctionalInterface
    public interface Source {
        CloneSnapshot take(ConnectionDetails source) throws Exception;
    }

    private final String name;
    private final BooleanSupplier open;
    private final Runnable closer;

    private CloneSnapshot(String name, BooleanSupplier open, Runnable closer) {
        this.name = name;
        this.open = open;
        this.closer = closer;
    }

    /** The snapshot of a slot just created. */
    public static CloneSnapshot of(ExportedSnapshot slotSnapshot) {
        return new CloneSnapshot(slotSnapshot.snapshotName(), slotSnapshot::isOpen, slotSnapshot::close);
    }

    /** A snapshot exported by a transaction of its own: no slot, any {@code wal_level}. */
    public static CloneSnapshot export(ConnectionDetails source) throws SQLException {
        Connection c = source.connect();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                return new CloneSnapshot(rs.getString(1), () -> isValid(c), () -> closeQuietly(c));
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** For {@code pg_dump --snapshot}. */
    String name() {
        return name;
    }

    boolean isOpen() {
        return open.getAsBoolean();
    }

    /** Starts a read-only REPEATABLE READ transaction on {@code connection} that sees the source as of this snapshot. */
    void begin(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
        try (Statement st = connection.createStatement()) {
            st.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(name));
        }
    }

    @Override
    public void close() {
        closer.run();
    }

    private static boolean isValid(Connection c) {
        try {
            return !c.isClosed() && c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection may be gone already; the snapshot ends with it either way
        }
    }
}
