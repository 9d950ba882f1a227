package dev.pgcorral.migration.follow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** A migration's replication origin on its destination: how far the follow applied, recorded with the rows. */
public final class Origins {

    /** SQLSTATE object_in_use: the origin is held by another session. */
    static final String IN_USE = "55006";
    /** How long {@link #drop} waits for a session that holds the origin to end. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);
    /** How long an earlier session may take to end by itself before it is ended. */
    static final Duration GRACE = Duration.ofSeconds(5);

    /** The origin functions an apply calls, each of which its user needs (a superuser has them all). */
    static final List<String> FUNCTIONS = List.of("pg_replication_origin_create(text)", "pg_replication_origin_drop(text)",
            "pg_replication_origin_oid(text)", "pg_replication_origin_session_setup(text)",
            "pg_replication_origin_xact_setup(pg_lsn, timestamptz)", "pg_replication_origin_progress(text, boolean)");

    private Origins() {
    }

    /** The {@link #FUNCTIONS} the connection's user may not call; empty when it may call them all. */
    public static List<String> notAllowed(Connection connection) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT has_function_privilege(?, 'EXECUTE')")) {
            for (String function : FUNCTIONS) {
                st.setString(1, function);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        missing.add(function);
                    }
                }
            }
        }
        return missing;
    }

    /**
     * The end of the last source transaction the destination committed, once its WAL is on disk up to that commit (it is
     * flushed now if it is not yet): what a crash of the destination cannot take back. {@link Lsn#INVALID} when none (or
     * no origin).
     */
    public static Lsn flushed(Connection connection, String origin) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT coalesce(pg_replication_origin_progress(?, true)::text, '0/0') WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            st.setString(1, origin);
            st.setString(2, origin);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Lsn.parse(rs.getString(1)) : Lsn.INVALID;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
            }
        }
    }

    /**
     * Creates the origin if needed and takes it for the session on {@code connection}, which is named after it. An
     * earlier session of the same migration may still hold it: one whose process was killed (its backend ends when it
     * notices) or whose connection was cut while it waited for a lock (its backend waits on). After {@link #GRACE}, those
     * sessions are ended; if the origin is still held when {@code wait} is over, this throws {@link SQLException} with
     * state {@value #IN_USE} (to be retried). {@code trouble} hears what it waits for.
     */
    static void take(Connection connection, String origin, Duration wait, Consumer<String> trouble)
            throws SQLException, InterruptedException {
        try (PreparedStatement st = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            st.setString(1, sessionName(origin));
            st.execute();
        }
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT pg_replication_origin_create(?) WHERE pg_replication_origin_oid(?) IS NULL")) {
            st.setString(1, origin);
            st.setString(2, origin);
            st.execute();
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new ApplyException("the destination's user may not create a replication origin, which records how far the "
                        + "migration got: use a superuser, or GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), "
                        + "pg_replication_origin_session_setup(text), pg_replication_origin_xact_setup(pg_lsn, timestamptz), "
                        + "pg_replication_origin_progress(text, boolean) TO the user, in the destination database itself (functions' "
                        + "rights are per database)", e);
            }
            throw e;
        }
        long start = System.nanoTime();
        boolean ended = false;
        while (true) {
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
                st.setString(1, origin);
                st.execute();
                return;
            } catch (SQLException e) {
                if (!IN_USE.equals(e.getSQLState())) {
                    throw e;
                }
                long waited = System.nanoTime() - start;
                if (waited > wait.toNanos()) {
                    throw new SQLException("its replication origin " + origin + " is held by another session (" + e.getMessage()
                            + ") that could not be ended; end it on the destination", IN_USE, e);
                }
                trouble.accept("waiting for the destination's replication origin " + origin + ", held by an earlier session of this "
                        + "migration (" + e.getMessage() + ")" + (ended ? "; ended it, waiting for it to go" : ""));
                if (!ended && waited > GRACE.toNanos()) {
                    endEarlierSessions(connection, origin);
                    ended = true;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Ends the destination's other sessions named after the origin: only this migration's apply sessions are. */
    private static void endEarlierSessions(Connection connection, String origin) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND application_name = current_setting('application_name') AND pid <> pg_backend_pid()")) {
            st.execute();
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) { // not allowed to: the wait goes on, and says so
                throw e;
            }
        }
    }

    /**
     * The application name of the origin's apply session: {@code pgcorral <origin>}, within PostgreSQL's 63 bytes (a long
     * origin is cut and told apart by a hash of it).
     */
    static String sessionName(String origin) {
        String name = "pgcorral " + origin;
        if (name.length() <= 63) {
            return name;
        }
        String hash = HexFormat.of().formatHex(sha256(origin), 0, 8);
        return name.substring(0, 63 - 17) + "~" + hash;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Drops the origin (a new clone begins, or the migration is stopped or deleted); none is fine. An apply session that
     * just closed may hold it for a moment more (its server process ends after the connection): that is waited for, up to
     * {@link #RELEASE_WAIT}; a session that still holds it then is an error ({@value #IN_USE}).
     */
    public static void drop(ConnectionDetails destination, String origin) throws SQLException {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        try (Connection c = destination.connect();
             PreparedStatement st = c.prepareStatement(
                     "SELECT pg_replication_origin_drop(?) WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            st.setString(1, origin);
            st.setString(2, origin);
            while (true) {
                try {
                    st.execute();
                    return;
                } catch (SQLException e) {
                    if ("42501".equals(e.getSQLState())) {
                        throw new SQLException("the destination's user may not drop the replication origin " + origin + " in database "
                                + destination.database() + " (" + e.getMessage() + "): use a superuser, or GRANT EXECUTE ON FUNCTION "
                                + "pg_replication_origin_drop(text) TO the user, in that database (functions' rights are per database)",
                                e.getSQLState(), e);
                    }
                    if (!IN_USE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for origin " + origin + " to be released", IN_USE, e);
                }
            }
        }
    }
}
