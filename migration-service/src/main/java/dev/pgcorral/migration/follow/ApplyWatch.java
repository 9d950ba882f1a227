package dev.pgcorral.migration.follow;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Watches the apply's round trips to the destination, on the lag probe's thread: one the destination has not answered for
 * {@value #STUCK_SECONDS} s while its apply session waits for a lock is said in the follow's trouble, with the sessions that
 * hold it, and the trouble goes once the destination answers. The session is looked up on a connection of its own.
 */
final class ApplyWatch implements AutoCloseable {

    static final int STUCK_SECONDS = 5;
    private static final long LOOK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String session;
    private final ProbeConnection connection;
    private long lookedAt;
    /** The trouble this watch said, while it stands; null: none. */
    private String said;

    ApplyWatch(ConnectionDetails destination, String origin, String migrationId) {
        this.session = Origins.sessionName(origin);
        this.connection = new ProbeConnection(destination, "pgcorral apply watch " + migrationId);
    }

    /** {@code busySince}: when the round trip in flight began ({@link System#nanoTime()}), 0 when none is. */
    void check(FollowProgress progress, LongSupplier busySince) {
        long since = busySince.getAsLong();
        long now = System.nanoTime();
        if (since == 0 || now - since < TimeUnit.SECONDS.toNanos(STUCK_SECONDS)) {
            if (said != null && said.equals(progress.trouble())) {
                progress.trouble(null);
            }
            said = null;
            return;
        }
        if (now - lookedAt < LOOK_EVERY_NANOS) {
            return;
        }
        lookedAt = now;
        String waiting = lockWait(TimeUnit.NANOSECONDS.toSeconds(now - since));
        if (progress.trouble() != null && !progress.trouble().equals(said)) {
            return; // not in place of another trouble
        }
        progress.trouble(waiting); // null once the session no longer waits for a lock
        said = waiting;
    }

    /** What the apply session waits for, when it waits for a lock; null otherwise (it works, or cannot be looked at). */
    private String lockWait(long seconds) {
        try {
            try (PreparedStatement st = connection.get().prepareStatement("SELECT wait_event, array_to_string(pg_blocking_pids(pid), ', ') "
                    + "FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'")) {
                st.setString(1, session);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    return "the destination has not answered the apply for " + seconds + " s: its session waits for a lock (" + rs.getString(1)
                            + ") held by the destination's session(s) " + rs.getString(2) + "; end their transactions (or "
                            + "pg_terminate_backend them) and the follow goes on";
                }
            }
        } catch (SQLException e) {
            close();
            return null;
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
