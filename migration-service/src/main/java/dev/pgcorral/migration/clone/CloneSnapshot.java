package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * One view of the source for a whole clone: a REPEATABLE READ transaction held open on its own connection
 * that exported its snapshot ({@code pg_export_snapshot()}); every copy worker and {@code pg_dump} import it,
 * so the schema, every table and every sequence are read as of the same instant. It lives while this object
 * is open: a clone that fails part-way can retry tables on it, and one started after the service stopped
 * cannot (it starts over).
 */
final class CloneSnapshot implements AutoCloseable {

    private final Connection holder;
    private final String name;

    private CloneSnapshot(Connection holder, String name) {
        this.holder = holder;
        this.name = name;
    }

    static CloneSnapshot export(ConnectionDetails source) throws SQLException {
        Connection c = source.connect();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                return new CloneSnapshot(c, rs.getString(1));
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
        try {
            return !holder.isClosed() && holder.isValid(5);
        } catch (SQLException e) {
            return false;
        }
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
        try {
            holder.close();
        } catch (SQLException ignored) {
            // the connection may be gone already; the snapshot ends with it either way
        }
    }
}
