package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a user needs to stop the writes in its database, as a switchover does: its ownership (to make it read-only), and
 * {@code pg_signal_backend} to end other roles' sessions (a superuser has both).
 */
public record WriteStopRights(boolean ownsDatabase, boolean mayEndOtherRoles) {

    /** The rights of the connection's user in its database. */
    public static WriteStopRights of(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_has_role(datdba, 'USAGE'), "
                + "pg_has_role('pg_signal_backend', 'USAGE') FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            return new WriteStopRights(rs.getBoolean(1), rs.getBoolean(2));
        }
    }
}
