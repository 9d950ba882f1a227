package dev.pgcorral.migration.migration;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.follow.DatabaseReadOnly;
import dev.pgcorral.migration.follow.Switchover;

/**
 * At start-up, the runs the process's end cut off. A follow goes on by itself: the destination knows
 * where it got. A switchover that had completed is finished; one that had not gives the source its writes
 * back, and the follow goes on. A clone cannot go on (its snapshot ended with the process): it is marked
 * failed, and a followed one's slot is dropped, since a new start begins with a new one.
 */
final class AfterRestart {

    private static final Logger log = LoggerFactory.getLogger(AfterRestart.class);

    private final MigrationStore store;
    private final MigrationEndpoints endpoints;
    private final MadeOnSource made;
    /** Starts a migration again, with what its events say about the restart. */
    private final BiConsumer<String, String> start;

    AfterRestart(MigrationStore store, MigrationEndpoints endpoints, MadeOnSource made,
                 BiConsumer<String, String> start) {
        this.store = store;
        this.endpoints = endpoints;
        this.made = made;
        this.start = start;
    }

    /**
     * A switchover the restart cut off, before it completed: each side it made read-only (not one that was read-only
     * before it) is given its writes back; one that cannot be reached now is recorded as owed, and the new run gives it
     * back once it can (or the run after the next restart, if the service stops first). Returns what the run's events say.
     */
    private String giveWritesBack(Migration m) {
        Switchover.ReadOnly before = store.readOnlyBefore(m.id()).orElse(null);
        if (before == null) { // cut off before it read anything: it had changed nothing
            String note = "the service restarted as a switchover began, before it had stopped any writes; the follow goes on";
            log.warn("migration {}: {}", m.id(), note);
            return note;
        }
        Writes source = before.source() ? Writes.READ_ONLY_BEFORE : tryGivingWritesBack(m, "the source", endpoints.source(m));
        Writes destination = before.destination() ? Writes.READ_ONLY_BEFORE
                : tryGivingWritesBack(m, "the destination", endpoints.destination(m));
        store.writesOwed(m.id(), new MigrationStore.WritesOwed(source == Writes.LATER, destination == Writes.LATER));
        String sides = source == destination ? source.saidOfBoth()
                : source.said("the source", false) + "; " + destination.said("the destination", true);
        String note = "the service restarted during a switchover, which did not complete; " + sides + "; the follow goes on";
        log.warn("migration {}: {}", m.id(), note);
        return note;
    }

    /** What became of a side's writes after a switchover the restart cut off. */
    private enum Writes {
        READ_ONLY_BEFORE, NEVER_STOPPED, GIVEN_BACK, LATER;

        String said(String side, boolean destination) {
            return switch (this) {
                case READ_ONLY_BEFORE -> side + " stays read-only, as it was before the switchover";
                case NEVER_STOPPED -> "the switchover had not stopped the writes of " + side;
                case GIVEN_BACK -> destination ? side + ", which the switchover held read-only, takes writes again"
                        : "writes were given back to " + side;
                case LATER -> "writes go back to " + side + " once the run reaches it (see live_trouble)";
            };
        }

        /** As {@link #said}, of the source and the destination at once (both alike). */
        String saidOfBoth() {
            return switch (this) {
                case READ_ONLY_BEFORE -> "the source and the destination stay read-only, as they were before the switchover";
                case NEVER_STOPPED -> "the switchover had not stopped the writes of the source or of the destination";
                case GIVEN_BACK -> "writes were given back to the source, and the destination, which the switchover held read-only, "
                        + "takes writes again";
                case LATER -> "writes go back to the source and the destination once the run reaches them (see live_trouble)";
            };
        }
    }

    /** What a run the restart starts says when an earlier restart's switchover left a side waiting for its writes; null: none. */
    private static String owed(MigrationStore.WritesOwed owed) {
        if (!owed.any()) {
            return null;
        }
        String sides = owed.source() && owed.destination() ? "the source and the destination" : owed.source() ? "the source" : "the destination";
        return "; writes go back to " + sides + ", which a switchover cut off by an earlier restart left read-only, once the run "
                + "reaches " + (owed.source() && owed.destination() ? "them" : "it") + " (see live_trouble)";
    }

    /** Gives writes back to a side a switchover may have made read-only (it had not, where the setting is not there). */
    private static Writes tryGivingWritesBack(Migration m, String side, ConnectionDetails db) {
        try {
            if (!DatabaseReadOnly.isSet(db)) {
                return Writes.NEVER_STOPPED;
            }
            DatabaseReadOnly.reset(db);
            log.info("migration {}: writes given back to {}", m.id(), side);
            return Writes.GIVEN_BACK;
        } catch (SQLException | RuntimeException e) {
            log.warn("migration {}: cannot give writes back to {} now ({}); the run will, once it can", m.id(), side, e.getMessage());
            return Writes.LATER;
        }
    }

    void resume() {
        for (Migration m : store.interrupted()) {
            MigrationStore.FollowState state = store.followState(m.id());
            if (m.status() == Migration.Status.SWITCHOVER && state.switchoverLsn() != null) {
                log.info("migration {}: the service restarted as its switchover completed; finishing it", m.id());
                store.status(m.id(), Migration.Status.COMPLETED, "switchover_complete");
                String left = made.switchedOver(m);
                if (left != null) {
                    log.warn("migration {}: {}", m.id(), left);
                    store.keepLog(m.id(), new CloneProgress.LogEntry(Instant.now(), "warn", left, Map.of("component", "migration")));
                }
                continue;
            }
            String note = m.status() == Migration.Status.SWITCHOVER ? giveWritesBack(m)
                    : "the service restarted while the migration followed its source; it follows on"
                    + Objects.toString(owed(store.writesOwed(m.id())), "");
            // running, not streaming yet: cut off while it connected (or waited for a server) to follow on, its clone done
            if (m.mode().follows() && (state.cloneCompleted() || m.mode() == Migration.Mode.FOLLOW_ONLY)) {
                log.info("migration {}: the service restarted while it followed the source; following on", m.id());
                try {
                    start.accept(m.id(), note); // its status stays what it was until the run says more: never failed meanwhile
                } catch (RuntimeException e) {
                    log.warn("migration {}: cannot follow on after the restart: {}", m.id(), e.getMessage());
                    store.stale(m.id(), "process was interrupted, and following on failed: " + e.getMessage() + " (" + note + ")");
                }
                continue;
            }
            store.stale(m.id(), "process was interrupted: start the migration again (the clone starts over: its snapshot ended "
                    + "with the process)");
            if (m.mode().follows()) {
                Thread t = new Thread(() -> made.removeQuietly(m, "its clone was cut off by a restart"), "migration-cleanup-" + m.id());
                t.setDaemon(true);
                t.start();
            }
        }
    }
}
