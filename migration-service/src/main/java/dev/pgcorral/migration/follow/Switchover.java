package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.clone.CloneProgress;

/**
 * Moves the writes from the source to the destination, provably leaving nothing behind:
 * <ol>
 * <li>waits until the follow is within {@code max-lag} of the source (writes untouched);</li>
 * <li>holds the destination: its database read-only for new sessions and its client sessions that began before ended
 * (the service's own excepted), so that nothing is written there before it holds everything, its sequences are set and
 * the way back (fallback) records from the start; given back at the end, whatever the outcome;</li>
 * <li>stops writes on the source: its database made read-only for new sessions
 * ({@code default_transaction_read_only}) and every session that could still write ended (or, with
 * {@code end-sessions} off, waited for until it ends);</li>
 * <li>checks that the publication carries every table of the source (none was created since the follow last looked);</li>
 * <li>writes a sentinel, a transactional logical message, on the source: ordered with the changes, it
 * comes after every transaction that committed before the writes stopped;</li>
 * <li>waits until the destination has committed past it, read from the destination's own record (its
 * replication origin), not from memory;</li>
 * <li>copies the source's unlogged tables again (the WAL, and so the follow, carries none of their changes);</li>
 * <li>sets every sequence on the destination to the source's value;</li>
 * <li>with a fallback, creates the publication and slot on the destination that replicate it back.</li>
 * </ol>
 * The write downtime is from step 3 to the end, and {@code timeout} bounds it as a whole. When a step fails or the time
 * is up, the source gets its writes back and the follow goes on; the exception says what happened.
 */
public final class Switchover {

    /** A switchover with fallback: the way back from the destination, prepared while the source's writes are stopped. */
    public interface Fallback {
        /** Before writes stop: whether the destination can be replicated from; throws saying why not. */
        void check() throws Exception;

        /** Once the destination holds everything and before the writes go to it: its publication and slot. */
        void begin() throws Exception;
    }

    /**
     * Whether each side's database was read-only ({@code default_transaction_read_only} set on it) before the switchover:
     * such a side stays read-only whatever the outcome. Another migration's switchover may have moved its writes away.
     */
    public record ReadOnly(boolean source, boolean destination) {
    }

    /** What a switchover did: the sentinel's position, how long writes were stopped, the sequences set. */
    public record Result(Lsn sentinel, Duration writeDowntime, int sequences, int sessionsEnded) {
    }

    private static final Logger log = LoggerFactory.getLogger(Switchover.class);

    private final String migrationId;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final String origin;
    private final String publication;
    private final UnloggedCopy unlogged;
    private final SequenceCopy sequences;
    private final FollowProgress follow;
    private final CloneProgress record;
    private final MigrationProperties.Switchover settings;
    private final Duration timeout;
    private final Fallback fallback;
    private final Consumer<ReadOnly> readOnlyFound;
    private ReadOnly before = new ReadOnly(false, false);
    /** The source's database was made read-only by this switchover: a failure gives its writes back. */
    private boolean sourceStopped;

    /**
     * @param publication the follow's, to check that it carries every table
     * @param onceUnlogged tables found unlogged at an earlier start (schema.table): copied again as unlogged ones are
     * @param timeout  how long writes may be stopped (the configured one when the caller gives none)
     * @param fallback the way back to prepare, or null
     * @param readOnlyFound told, before anything is changed, which sides were read-only already (to keep for a restart)
     */
    public Switchover(String migrationId, ConnectionDetails source, ConnectionDetails destination, String origin, String publication,
                      Set<String> onceUnlogged, FollowProgress follow, CloneProgress record, MigrationProperties.Switchover settings,
                      Duration timeout, Fallback fallback, Consumer<ReadOnly> readOnlyFound) {
        this.migrationId = migrationId;
        this.source = source;
        this.destination = destination;
        this.origin = origin;
        this.publication = publication;
        this.unlogged = new UnloggedCopy(source, destination, onceUnlogged);
        this.sequences = new SequenceCopy(source, destination);
        this.follow = follow;
        this.record = record;
        this.settings = settings;
        this.timeout = timeout;
        this.fallback = fallback;
        this.readOnlyFound = readOnlyFound;
    }

    /** How long {@link #checkReachable} waits for a side's answer. */
    private static final Duration REACH = Duration.ofSeconds(10);

    /** The destination's sessions a switchover ends: all but the service's own ({@code pgcorral}, {@code pgcorral …}). */
    private static final DatabaseSessions DESTINATION_SESSIONS = new DatabaseSessions("application_name ~ '^pgcorral( |$)'");
    /**
     * The source's: all but the service's own that only read there (other migrations' clones: JDBC and pg_dump sessions named
     * {@code pgcorral}; lag probes; the streams of migrations that follow it, {@code pgcorral migration <id>}), not an apply
     * session ({@code pgcorral <origin>}, a fallback's), which writes.
     */
    private static final DatabaseSessions SOURCE_SESSIONS = new DatabaseSessions("application_name = 'pgcorral' "
            + "OR application_name LIKE 'pgcorral lag probe %' OR application_name LIKE 'pgcorral migration %'");

    public Result run() throws Exception {
        checkReachable("source", source);
        checkReachable("destination", destination);
        // first: a restart during the catch-up wait finds what was read-only before, and gives nothing the switchover did not take
        before = readOnlyNow();
        readOnlyFound.accept(before);
        info("switchover: once the follow is within " + settings.maxLag().toKilobytes() + " kB of the source (waiting "
                + settings.catchUp().toSeconds() + " s at most), the source's writes stop for " + timeout.toSeconds() + " s at most");
        awaitCaughtUp();
        if (fallback != null) {
            fallback.check();
        }
        checkMayStopSourceWrites();
        unlogged.checkThere();
        sequences.checkThere();
        try {
            holdDestination();
        } catch (SQLException e) {
            releaseDestination(false);
            throw new IllegalStateException("cannot hold the destination read-only for the switchover: " + e.getMessage() + " (its user "
                    + "needs to own database " + destination.database() + "); the source's writes were not touched", e);
        }
        Instant stopped = Instant.now();
        long deadline = System.nanoTime() + timeout.toNanos(); // one bound for all the time the source is without writes
        int ended;
        try {
            ended = stopWrites(deadline);
        } catch (IllegalStateException e) {
            giveWritesBack();
            releaseDestination(false);
            throw e;
        } catch (SQLException e) {
            boolean stoppedThere = sourceStopped;
            giveWritesBack();
            releaseDestination(false);
            throw new IllegalStateException("cannot stop writes on the source: " + e.getMessage() + " (the user needs to own database "
                    + source.database() + " and be allowed to end its sessions); " + (stoppedThere ? "writes were given back"
                    : "the source's writes were not touched"), e);
        }
        String step = "reading the source's publication";
        try {
            try (Connection c = source.connect()) {
                String left = SourceReplication.notFollowed(c, publication);
                if (left != null) {
                    throw new IllegalStateException(left);
                }
            }
            info("writes stopped on the source (" + ended + " session(s) ended); writing the sentinel");
            step = "writing the sentinel on the source";
            Lsn sentinel = writeSentinel();
            step = "waiting for the destination to commit past the sentinel";
            if (!follow.awaitApplied(sentinel, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                if (follow.hasEnded()) {
                    throw new IllegalStateException("the follow ended (the migration was stopped, or its follow failed) before the "
                            + "destination committed past the sentinel at " + sentinel);
                }
                throw new IllegalStateException("the destination did not commit past the sentinel at " + sentinel + " within the "
                        + timeout.toSeconds() + " s the source may be without writes (it applied up to " + follow.applied() + ")");
            }
            Lsn confirmed;
            step = "reading the destination's progress (its replication origin)";
            try (Connection dst = destination.connect()) {
                confirmed = Origins.flushed(dst, origin); // on the destination's disk: a crash of it cannot take it back
            }
            if (confirmed.isBefore(sentinel)) {
                throw new IllegalStateException("the destination's origin reads " + confirmed + ", before the sentinel at " + sentinel);
            }
            step = "copying the unlogged tables again";
            String copied = unlogged.copy(deadline, "the switchover took longer than " + timeout.toSeconds() + " s");
            if (copied != null) {
                info(copied);
            }
            step = "setting the destination's sequences";
            int sequencesSet = sequences.copy();
            if (fallback != null) {
                step = "starting the way back (fallback)";
                fallback.begin();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the switchover took longer than " + timeout.toSeconds() + " s");
            }
            releaseDestination(true);
            Duration downtime = Duration.between(stopped, Instant.now());
            return new Result(sentinel, downtime, sequencesSet, ended);
        } catch (SQLException e) {
            giveWritesBack();
            releaseDestination(false);
            throw new IllegalStateException(step + ": " + e.getMessage(), e); // the bare driver's words name neither side nor step
        } catch (Exception e) {
            giveWritesBack();
            releaseDestination(false);
            throw e;
        }
    }

    /**
     * Makes the destination's database read-only for new sessions and ends its client sessions that began before, but the
     * service's own (the follow's); where it may not end them, they are left, and the log says so.
     */
    private void holdDestination() throws SQLException {
        try (Connection c = destination.connectReadWrite(); Statement st = c.createStatement()) {
            DatabaseReadOnly.set(st, destination.database());
            DatabaseSessions.Ended ended = DESTINATION_SESSIONS.end(c, null);
            info("the destination is read-only for new sessions until the switchover ends (" + ended.count() + " session(s) there ended)");
            if (!ended.left().isEmpty()) {
                warn(ended.left().size() + " session(s) of the destination that began before stay, which its user may not end (GRANT "
                        + "pg_signal_backend to it; a superuser's only a superuser may end): they may write there during the switchover: "
                        + ended.left());
            }
        }
    }

    /**
     * Lets new sessions of the destination's database write (what {@link #holdDestination} set, reset): once
     * {@code switchedOver}, the writes go there; else not where it was read-only before.
     */
    private void releaseDestination(boolean switchedOver) {
        giveWritesBack(destination, "the destination", before.destination() && !switchedOver);
    }

    /** Whether each side's database is read-only now (before anything is changed); one that cannot be read: nothing is touched. */
    private ReadOnly readOnlyNow() throws SQLException {
        ReadOnly found;
        try (Connection src = source.connect(); Connection dst = destination.connect()) {
            found = new ReadOnly(DatabaseReadOnly.isSet(src, source.database()), DatabaseReadOnly.isSet(dst, destination.database()));
        }
        if (found.source()) {
            info("the source database " + source.database() + " is read-only already (default_transaction_read_only set on it): it stays "
                    + "so whatever the outcome");
        }
        if (found.destination()) {
            info("the destination database " + destination.database() + " is read-only (default_transaction_read_only set on it): it "
                    + "takes writes once the switchover completes, and stays read-only if it does not");
        }
        return found;
    }

    /** Waits, writes untouched, until a lag probed after this call is below {@code max-lag}. */
    private void awaitCaughtUp() throws InterruptedException {
        long deadline = System.nanoTime() + settings.catchUp().toNanos();
        long maxLag = settings.maxLag().toBytes();
        Instant asked = Instant.now();
        while (true) {
            FollowProgress.Lag lag = follow.lag();
            boolean fresh = lag.probedAt() != null && lag.probedAt().isAfter(asked);
            if (fresh && lag.bytes() >= 0 && lag.bytes() <= maxLag && follow.trouble() == null) {
                return;
            }
            if (follow.hasEnded()) {
                throw new IllegalStateException("the follow ended (the migration was stopped, or its follow failed) before it caught up; "
                        + "the source's writes were not touched");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the follow did not come within " + settings.maxLag().toKilobytes() + " kB of the source in "
                        + settings.catchUp().toSeconds() + " s (lag " + Math.max(0, lag.bytes()) + " bytes); the source's writes were not touched");
            }
            Thread.sleep(20); // the lag is probed on the follow's own thread; nothing to wait on but time
        }
    }

    /**
     * Makes the database read-only for new sessions; the sessions that began before could still write: they are
     * ended, or, with {@code end-sessions} off, waited for until they end by themselves, until {@code deadline}
     * ({@link System#nanoTime()}). Returns how many were ended.
     */
    private int stopWrites(long deadline) throws SQLException, InterruptedException {
        try (Connection c = writable(); Statement st = c.createStatement()) {
            sourceStopped = true; // from here a failure gives the writes back: the setting may have taken though its answer was lost
            try {
                DatabaseReadOnly.set(st, source.database());
            } catch (SQLException e) {
                sourceStopped = !"42501".equals(e.getSQLState()); // refused: nothing was set
                throw e;
            }
            Timestamp since;
            try (ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
                rs.next();
                since = rs.getTimestamp(1);
            }
            if (!settings.endSessions()) {
                while (true) {
                    long left = SOURCE_SESSIONS.count(c, since);
                    if (left == 0) {
                        return 0;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(left + " session(s) that began before the writes stopped are still connected after "
                                + timeout.toSeconds() + " s (end-sessions is off)");
                    }
                    if (follow.hasEnded()) {
                        throw new IllegalStateException("the follow ended (the migration was stopped, or its follow failed) while " + left
                                + " session(s) that began before the writes stopped were still connected");
                    }
                    Thread.sleep(50); // sessions end on their clients' time; nothing to wait on but time
                }
            }
            // sessions that began before the setting took effect run with writes on: end them (twice: one may be starting)
            int ended = 0;
            for (int round = 0; round < 2; round++) {
                DatabaseSessions.Ended result = SOURCE_SESSIONS.end(c, since);
                ended += result.count();
                if (!result.left().isEmpty()) {
                    throw new IllegalStateException("cannot stop writes on the source: " + result.left().size() + " session(s) there that "
                            + "may have begun before could not be ended, and could write after the sentinel: " + result.left()
                            + "; GRANT pg_signal_backend to the source's user, or end those sessions (a superuser's only a superuser may "
                            + "end); writes were given back");
                }
            }
            return ended;
        }
    }

    /** That a side answers, before anything is done: else which one does not (the driver's words name neither side nor step). */
    private static void checkReachable(String side, ConnectionDetails db) {
        try {
            db.connectWithin(REACH).close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the " + side + " " + db.redacted() + ": " + SqlFaults.cause(e)
                    + "; the source's writes were not touched", e);
        }
    }

    /**
     * Refuses, before anything is changed, a switchover whose source user could not stop the writes: one that does not own
     * the source database, or that may not end the sessions there of the roles found connected.
     */
    private void checkMayStopSourceWrites() throws SQLException {
        try (Connection c = source.connect()) {
            String cannot = SOURCE_SESSIONS.whyWritesCannotStop(c, settings.endSessions());
            if (cannot != null) {
                throw new IllegalStateException(cannot + "; the source's writes were not touched");
            }
        }
    }

    /** The sentinel: a transactional logical message; returns its position. */
    private Lsn writeSentinel() throws SQLException {
        try (Connection c = writable(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(true, " + Identifiers.literal("pgcorral.switchover." + migrationId)
                    + ", " + Identifiers.literal(UUID.randomUUID().toString()) + ")::text")) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        }
    }

    private void giveWritesBack() {
        if (sourceStopped) {
            giveWritesBack(source, "the source", before.source());
        }
    }

    /**
     * Gives a side its writes back, unless it was read-only before. One that cannot be reached (it went down meanwhile) is
     * tried again with back-off (1 s, doubling, at most 30 s) until it can, said in {@code live_trouble}: the switchover
     * ends (and its migration's status leaves {@code switchover}) only then.
     */
    private void giveWritesBack(ConnectionDetails db, String which, boolean readOnlyBefore) {
        if (readOnlyBefore) {
            info(which + " stays read-only, as it was before the switchover");
            return;
        }
        String fix = "; run ALTER DATABASE " + Identifiers.quote(db.database()) + " RESET default_transaction_read_only there";
        try {
            new UntilReachable(migrationId, record).ask("cannot give writes back to " + which + " yet", () -> {
                DatabaseReadOnly.reset(db);
                return null;
            });
            info("writes given back to " + which + " (ALTER DATABASE " + db.database() + " RESET default_transaction_read_only)");
        } catch (SQLException e) {
            error("cannot give writes back to " + which + ": " + e.getMessage() + fix);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error("interrupted while giving writes back to " + which + fix);
        }
    }

    private void error(String message) {
        record.trouble(null);
        record.log("error", message, Map.of("component", "switchover"));
        log.error("migration {}: {}", migrationId, message);
    }

    /** A connection to the source that may write while its database is read-only for everyone else. */
    private Connection writable() throws SQLException {
        return source.connectReadWrite();
    }

    private void warn(String message) {
        record.log("warn", message, Map.of("component", "switchover"));
        log.warn("migration {}: {}", migrationId, message);
    }

    private void info(String message) {
        record.log("info", message, Map.of("component", "switchover"));
        log.info("migration {}: {}", migrationId, message);
    }
}
