package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * A database's {@code default_transaction_read_only} as a switchover sets it for every role
 * ({@code ALTER DATABASE … SET}): new sessions start read-only, those that began before are not changed.
 */
public final class DatabaseReadOnly {

    private DatabaseReadOnly() {
    }

    /** Whether it is set on {@code database}. */
    static boolean isSet(Connection c, String database) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT coalesce(bool_or(substr(c, length('default_transaction_read_only=') + 1)::boolean), false)
                FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) c
                WHERE d.datname = ? AND s.setrole = 0 AND c LIKE 'default\\_transaction\\_read\\_only=%'""")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Whether it is set on {@code db}'s database. */
    public static boolean isSet(ConnectionDetails db) throws SQLException {
        try (Connection c = db.connect()) {
            return isSet(c, db.database());
        }
    }

    /** Sets it on {@code database}, through {@code st}. */
    static void set(Statement st, String database) throws SQLException {
        st.execute("ALTER DATABASE " + Identifiers.quote(database) + " SET default_transaction_read_only = on");
    }

    /**
     * A follow that stopped for the user to change {@code destination}: where that database is read-only (a fallback's
     * destination is the source a switchover left so), the message says how to change it all the same.
     */
    public static RuntimeException withHint(ApplyException e, ConnectionDetails destination) {
        try {
            if (!isSet(destination)) {
                return e;
            }
        } catch (SQLException unreachable) {
            return e;
        }
        return new IllegalStateException(e.getMessage() + ". The destination database " + destination.database() + " is read-only "
                + "(default_transaction_read_only is set on it, as a switchover leaves its source): run SET "
                + "default_transaction_read_only = off first in the session that changes it", e);
    }

    /** Lets new sessions of the database write again (what stopping its writes, or holding it, set, reset). */
    public static void reset(ConnectionDetails db) throws SQLException {
        try (Connection c = db.connectReadWrite(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Identifiers.quote(db.database()) + " RESET default_transaction_read_only");
        }
    }
}
