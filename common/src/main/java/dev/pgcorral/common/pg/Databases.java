package dev.pgcorral.common.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Database-level DDL that depends on the server's version. */
public final class Databases {

    private Databases() {
    }

    /** Creates database {@code name} unless it exists, on a connection to another database of the server. */
    public static void createIfMissing(Connection c, String name) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(name));
        }
    }

    /** Drops {@code name} if it exists, ending its sessions first (WITH (FORCE) from PostgreSQL 13 on). */
    public static void dropForcibly(Statement st, String name, int majorVersion) throws SQLException {
        if (majorVersion >= 13) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(name) + " WITH (FORCE)");
        } else {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    + Identifiers.literal(name) + " AND pid <> pg_backend_pid()");
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(name));
        }
    }
}
