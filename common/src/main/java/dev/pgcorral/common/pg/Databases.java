package dev.pgcorral.common.pg;

import java.sql.SQLException;
import java.sql.Statement;

/** Database-level DDL that depends on the server's version. */
public final class Databases {

    private Databases() {
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
