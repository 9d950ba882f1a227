package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The client sessions of a database that could write there, as a switchover ends them: all but the connection's own and
 * the service's sessions it spares. {@code pg_stat_activity} shows a session of a role the user may not read the
 * statistics of without its start or kind: such a one counts too (it may have begun before the database was made
 * read-only), and ending it needs {@code pg_signal_backend}. A superuser's session only a superuser may end.
 */
final class DatabaseSessions {

    /** A session that could not be ended: its pid, role, and what the server said. */
    record NotEnded(int pid, String role, String why) {
        @Override
        public String toString() {
            return "pid " + pid + " (role " + role + "): " + why;
        }
    }

    record Ended(int count, List<NotEnded> left) {
    }

    /** {@code spared}: an SQL condition on {@code application_name} that holds for the service's sessions to leave alone. */
    private final String spared;

    DatabaseSessions(String spared) {
        this.spared = spared;
    }

    /**
     * Why the connection's user could not stop the writes in its database: it does not own it (to make it read-only), or,
     * {@code endingSessions}, sessions of roles it may not end are connected there; null when it could.
     */
    String whyWritesCannotStop(Connection c, boolean endingSessions) throws SQLException {
        if (!WriteStopRights.of(c).ownsDatabase()) {
            return "the user " + c.getMetaData().getUserName() + " does not own database " + c.getCatalog() + ", which a switchover makes "
                    + "read-only (ALTER DATABASE … SET default_transaction_read_only): make it the owner, or register the node with the "
                    + "owner's role";
        }
        List<String> roles = endingSessions ? rolesItMayNotEnd(c) : List.of();
        return roles.isEmpty() ? null : "database " + c.getCatalog() + " has sessions of role(s) " + String.join(", ", roles) + ", which "
                + "the user may not end, and a switchover ends every session that could write: GRANT pg_signal_backend to it (a "
                + "superuser's session only a superuser may end), or end them first";
    }

    /** The roles of sessions there now that the connection's user may not end (lacking {@code pg_signal_backend}, or a superuser's). */
    private List<String> rolesItMayNotEnd(Connection c) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT DISTINCT usename" + from(null) + " AND NOT pg_has_role(usesysid, 'USAGE') "
                + "AND (NOT pg_has_role('pg_signal_backend', 'USAGE') OR (SELECT rolsuper FROM pg_roles WHERE oid = usesysid)) "
                + "ORDER BY 1"); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                roles.add(rs.getString(1));
            }
        }
        return roles;
    }

    /** How many sessions there began at or before {@code before} (null: any time), or cannot be seen as to when. */
    long count(Connection c, Timestamp before) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*)" + from(before))) {
            if (before != null) {
                st.setTimestamp(1, before);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Ends the sessions there that began at or before {@code before} (null: any time), or cannot be seen as to when; one at a time. */
    Ended end(Connection c, Timestamp before) throws SQLException {
        List<Integer> pids = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT pid, usename" + from(before))) {
            if (before != null) {
                st.setTimestamp(1, before);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                    roles.add(rs.getString(2));
                }
            }
        }
        int ended = 0;
        List<NotEnded> left = new ArrayList<>();
        try (PreparedStatement terminate = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            for (int i = 0; i < pids.size(); i++) {
                terminate.setInt(1, pids.get(i));
                try (ResultSet rs = terminate.executeQuery()) {
                    rs.next();
                    ended += rs.getBoolean(1) ? 1 : 0; // false: it had ended already
                } catch (SQLException e) {
                    if ("42501".equals(e.getSQLState())) { // insufficient_privilege
                        left.add(new NotEnded(pids.get(i), roles.get(i), e.getMessage().replaceFirst("^ERROR: ", "")));
                    } else {
                        throw e;
                    }
                }
            }
        }
        return new Ended(ended, left);
    }

    /**
     * The sessions of the connection's database (a user's, not a background process's) but its own and the spared: those
     * that began at or before {@code before} (null: any time), and those whose start and kind it may not see.
     */
    private String from(Timestamp before) {
        return " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND usesysid IS NOT NULL "
                + "AND ((backend_type = 'client backend'" + (before == null ? "" : " AND backend_start <= ?") + ") OR backend_type IS NULL) "
                + "AND NOT coalesce(" + spared + ", false)";
    }
}
