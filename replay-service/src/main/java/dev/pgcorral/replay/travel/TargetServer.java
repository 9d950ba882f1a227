package dev.pgcorral.replay.travel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Databases;
import dev.pgcorral.common.pg.Identifiers;

/**
 * Database-level operations on the server a session's target lives on: copies made from templates,
 * renames, drops, ending the connections to a database. Each call opens its own connection to the
 * server's {@code postgres} database (the target itself cannot be dropped or renamed from inside).
 */
public final class TargetServer {

    private final ConnectionDetails maintenance;

    /** @param anyDatabase a database on the server; its host, port and login are used */
    public TargetServer(ConnectionDetails anyDatabase) {
        this.maintenance = anyDatabase.withDatabase("postgres");
    }

    public ConnectionDetails database(String name) {
        return maintenance.withDatabase(name);
    }

    public boolean exists(String database) throws SQLException {
        try (Connection c = maintenance.connect(); PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Ends every connection to {@code database}; returns how many there were. */
    public int endConnections(String database) throws SQLException {
        try (Connection c = maintenance.connect(); PreparedStatement st = c.prepareStatement(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public void drop(String database) throws SQLException {
        try (Connection c = maintenance.connect(); Statement st = c.createStatement()) {
            Databases.dropForcibly(st, database, c.getMetaData().getDatabaseMajorVersion());
        }
    }

    /** Creates {@code database} as a copy of {@code template} (no one may be connected to the template). */
    public void copy(String template, String database) throws SQLException {
        try (Connection c = maintenance.connect(); Statement st = c.createStatement()) {
            String strategy = c.getMetaData().getDatabaseMajorVersion() >= 15 ? " STRATEGY FILE_COPY" : "";
            st.execute("CREATE DATABASE " + Identifiers.quote(database) + " TEMPLATE " + Identifiers.quote(template) + strategy);
        }
    }

    public void createEmpty(String database) throws SQLException {
        try (Connection c = maintenance.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(database) + " TEMPLATE template0");
        }
    }

    /** Replaces {@code database} with {@code replacement}: its connections ended, dropped, the replacement renamed. */
    public int replace(String database, String replacement) throws SQLException {
        try (Connection c = maintenance.connect(); Statement st = c.createStatement()) {
            int ended = endConnections(database);
            Databases.dropForcibly(st, database, c.getMetaData().getDatabaseMajorVersion());
            st.execute("ALTER DATABASE " + Identifiers.quote(replacement) + " RENAME TO " + Identifiers.quote(database));
            return ended;
        }
    }
}
