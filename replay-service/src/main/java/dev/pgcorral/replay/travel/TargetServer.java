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
 * renames, drops, ending the connections to a database. They run on a connection to the server's
 * {@code postgres} database (the target itself cannot be dropped or renamed from inside): one per call,
 * or one for several calls through {@link #open()}.
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

    /** A connection to the server for several operations in a row. */
    public Admin open() throws SQLException {
        return new Admin(maintenance.connect());
    }

    public void drop(String database) throws SQLException {
        try (Admin admin = open()) {
            admin.drop(database);
        }
    }

    public void copy(String template, String database) throws SQLException {
        try (Admin admin = open()) {
            admin.copy(template, database);
        }
    }

    public void createEmpty(String database) throws SQLException {
        try (Admin admin = open()) {
            admin.createEmpty(database);
        }
    }

    public int replace(String database, String replacement) throws SQLException {
        try (Admin admin = open()) {
            return admin.replace(database, replacement);
        }
    }

    public int endConnections(String database) throws SQLException {
        try (Admin admin = open()) {
            return admin.endConnections(database);
        }
    }

    /** The operations on one open connection. */
    public static final class Admin implements AutoCloseable {
        private final Connection connection;
        private final int majorVersion;

        Admin(Connection connection) throws SQLException {
            this.connection = connection;
            this.majorVersion = connection.getMetaData().getDatabaseMajorVersion();
        }

        /** Ends every connection to {@code database}; returns how many there were. */
        public int endConnections(String database) throws SQLException {
            try (PreparedStatement st = connection.prepareStatement(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                st.setString(1, database);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }

        public void drop(String database) throws SQLException {
            try (Statement st = connection.createStatement()) {
                Databases.dropForcibly(st, database, majorVersion);
            }
        }

        /** Creates {@code database} as a copy of {@code template} (no one may be connected to the template). */
        public void copy(String template, String database) throws SQLException {
            execute("CREATE DATABASE " + Identifiers.quote(database) + " TEMPLATE " + Identifiers.quote(template)
                    + (majorVersion >= 15 ? " STRATEGY FILE_COPY" : ""));
        }

        public void createEmpty(String database) throws SQLException {
            execute("CREATE DATABASE " + Identifiers.quote(database) + " TEMPLATE template0");
        }

        /** Replaces {@code database} with {@code replacement}: its connections ended, dropped, the replacement renamed. */
        public int replace(String database, String replacement) throws SQLException {
            int ended = endConnections(database);
            drop(database);
            execute("ALTER DATABASE " + Identifiers.quote(replacement) + " RENAME TO " + Identifiers.quote(database));
            return ended;
        }

        private void execute(String sql) throws SQLException {
            try (Statement st = connection.createStatement()) {
                st.execute(sql);
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
