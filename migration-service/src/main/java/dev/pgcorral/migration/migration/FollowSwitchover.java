package dev.pgcorral.migration.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.follow.Follower;
import dev.pgcorral.migration.follow.Origins;
import dev.pgcorral.migration.follow.SourceReplication;
import dev.pgcorral.migration.follow.Switchover;

/**
 * A migration's switchover as its run does it: status and phase {@code switchover}, the {@link Switchover}
 * itself (with the way back prepared when the migration has {@code fallback}), what it did recorded, and
 * the fallback's {@code <id>-reverse} started. A failed one sets the migration back to {@code streaming}.
 */
final class FollowSwitchover {

    private static final Logger log = LoggerFactory.getLogger(FollowSwitchover.class);

    private final Migration migration;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final MigrationStore store;
    private final CloneProgress record;
    private final MigrationProperties.Switchover settings;
    private final MigrationRun.ReverseStarter reverse;

    FollowSwitchover(Migration migration, ConnectionDetails source, ConnectionDetails destination, MigrationStore store,
                     CloneProgress record, MigrationProperties.Switchover settings, MigrationRun.ReverseStarter reverse) {
        this.migration = migration;
        this.source = source;
        this.destination = destination;
        this.store = store;
        this.record = record;
        this.settings = settings;
        this.reverse = reverse;
    }

    Switchover.Result run(Follower follower, Duration timeout) throws Exception {
        store.switchoverBegins(migration.id());
        record.enterPhase("switchover");
        SourceReplication back = new SourceReplication(destination, cut(migration.slotName() + "_reverse"),
                cut(migration.publication() + "_reverse"));
        SourceReplication.Begun[] begun = new SourceReplication.Begun[1];
        Switchover.Fallback fallback = !migration.fallback() ? null : new Switchover.Fallback() {
            @Override
            public void check() throws SQLException {
                checkReplicable(destination);
                checkApplicable(source);
            }

            @Override
            public void begin() throws SQLException {
                begun[0] = back.beginWithoutSnapshot();
            }
        };
        Switchover.Result result = new Switchover(migration.id(), source, destination, MigrationRun.origin(migration.id()),
                migration.publication(), store.unloggedSeen(migration.id()), follower.progress(), record, settings,
                timeout, fallback, before -> store.readOnlyBefore(migration.id(), before)).run();
        store.switchedOver(migration.id(), result.sentinel(), result.writeDowntime().toMillis());
        record.event("switchover_complete", "switched over: the destination committed past the sentinel at " + result.sentinel()
                + ", " + result.sequences() + " sequence(s) set; writes were stopped on the source for "
                + result.writeDowntime().toMillis() + " ms; the source database stays read-only", Map.of());
        info("switched over at " + result.sentinel() + " with " + result.writeDowntime().toMillis() + " ms without writes, "
                + result.sequences() + " sequence(s) set on the destination; the source "
                + "database " + source.database() + " stays read-only (SET default_transaction_read_only = off, then ALTER DATABASE … RESET "
                + "default_transaction_read_only, gives it writes back)");
        if (begun[0] != null) {
            String id = reverse.start(migration, back.slot(), back.publication(), begun[0]);
            info("fallback: the destination's changes now replicate back to the source as migration " + id + ", through slot "
                    + back.slot() + " on the destination");
        }
        return result;
    }

    /** A switchover that failed: said in the record, the migration back to {@code streaming} (its writes were given back). */
    static void failed(Migration migration, MigrationStore store, CloneProgress record, Exception e) {
        String message = "switchover failed: " + e.getMessage();
        record.failure(message, true);
        record.event("switchover_failed", message, Map.of());
        record.log("error", message + "; the follow goes on", Map.of("component", "switchover"));
        log.warn("migration {}: {}", migration.id(), message);
        record.enterPhase("streaming");
        store.status(migration.id(), Migration.Status.STREAMING, "streaming");
    }

    /**
     * {@code clone_follow_switchover}: runs {@code action} on a thread of its own once the follow is within {@code max-lag};
     * again while it answers why it did not start (another migration switches over from the same source), said once.
     */
    static void whenCaughtUp(Migration migration, Follower follower, MigrationProperties.Switchover settings, BooleanSupplier cancelled,
                             Supplier<String> action) {
        Thread t = new Thread(() -> {
            long maxLag = settings.maxLag().toBytes();
            String said = null;
            try {
                while (!follower.cancelled() && !cancelled.getAsBoolean()) {
                    long lag = follower.progress().lag().bytes();
                    if (lag >= 0 && lag <= maxLag && follower.progress().trouble() == null) {
                        String refused = action.get();
                        if (refused == null) {
                            return;
                        }
                        if (!refused.equals(said)) {
                            log.info("migration {}: caught up, but its switchover waits: {}", migration.id(), refused);
                            said = refused;
                        }
                    }
                    Thread.sleep(200); // the lag is probed on its own thread; nothing to wait on but time
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "migration-auto-switchover-" + migration.id());
        t.setDaemon(true);
        t.start();
    }

    /** A fallback replicates from the destination: it must be a logical replication source, and the user may stream from it. */
    private static void checkReplicable(ConnectionDetails destination) throws SQLException {
        try (Connection c = destination.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('wal_level'), (SELECT rolsuper OR rolreplication FROM pg_roles "
                     + "WHERE rolname = current_user)")) {
            rs.next();
            if (!"logical".equals(rs.getString(1))) {
                throw new IllegalStateException("fallback needs the destination to run with wal_level = logical (it has "
                        + rs.getString(1) + "): set it and restart the destination, or switch over without fallback");
            }
            if (!rs.getBoolean(2)) {
                throw new IllegalStateException("fallback needs the destination's user " + destination.user() + " to have the "
                        + "REPLICATION attribute (ALTER ROLE … REPLICATION)");
            }
        }
    }

    /** A fallback applies the destination's changes to the source: its user needs the origin functions there. */
    private static void checkApplicable(ConnectionDetails source) throws SQLException {
        List<String> missing;
        try (Connection c = source.connect()) {
            missing = Origins.notAllowed(c);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("fallback applies the destination's changes to the source, and the source's user "
                    + source.user() + " may not call " + String.join(", ", missing) + " there (GRANT EXECUTE ON FUNCTION … TO "
                    + source.user() + ", or switch over without fallback)");
        }
    }

    private static String cut(String name) {
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    private void info(String message) {
        record.log("info", message, Map.of("component", "switchover"));
        log.info("migration {}: {}", migration.id(), message);
    }
}
