package dev.pgcorral.migration.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.follow.Origins;
import dev.pgcorral.migration.follow.SourceReplication;

/**
 * What a followed migration made and must not leave behind when it is stopped, deleted, switched over or
 * cut off: the slot, the publication (when it created it) and the DDL trigger on the source, and its
 * origin on the destination.
 */
final class MadeOnSource {

    private static final Logger log = LoggerFactory.getLogger(MadeOnSource.class);

    private final MigrationStore store;
    private final MigrationEndpoints endpoints;

    MadeOnSource(MigrationStore store, MigrationEndpoints endpoints) {
        this.store = store;
        this.endpoints = endpoints;
    }

    /** Whether the migration made a slot that is still recorded (a {@code follow_only} one following the user's slot did not). */
    boolean owned(Migration m) {
        return m.mode().follows() && store.followState(m.id()).consistentLsn() != null;
    }

    /** Why the source cannot be reached to drop them; null when it answers. */
    String unreachable(Migration m) {
        try (Connection c = endpoints.source(m).connect()) {
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    /**
     * Drops them; throws when the source cannot be reached (the origin on the destination is dropped where it can be).
     * Returns what was dropped, in words.
     */
    String remove(Migration m) {
        boolean publicationCreated = store.followState(m.id()).publicationCreated();
        new SourceReplication(endpoints.source(m), m.slotName(), m.publication())
                .remove(publicationCreated);
        store.slotRemoved(m.id());
        String origin = ", and its origin on the destination";
        try {
            Origins.drop(endpoints.destination(m), MigrationRun.origin(m.id()));
        } catch (SQLException | RuntimeException e) {
            origin = "; its origin on the destination stays (" + e.getMessage() + ")";
        }
        String said = "slot " + m.slotName() + " dropped on the source" + (publicationCreated ? ", with publication " + m.publication() : "")
                + origin;
        log.info("migration {}: {}", m.id(), said);
        return said;
    }

    /**
     * A {@code follow_only} migration made nothing on the source, but its origin on the destination records how far it
     * got there: dropped, so that a later start, or another migration of the same id, begins at the slot's position. The
     * user's slot is first moved up to what the destination has on disk (its acknowledgements trail the apply), else a
     * start would apply again what lies between. Where that cannot be done, the origin stays, and a start follows on from
     * it; where only the drop fails, the next start drops it. Nothing to do for another mode, or a slot the migration made
     * (a fallback's reverse), whose {@link #remove} drops the origin once the slot is gone. Call it before {@link #remove},
     * which forgets that the slot is the migration's own.
     */
    Forgotten forgetOrigin(Migration m) {
        if (m.mode() != Migration.Mode.FOLLOW_ONLY || owned(m)) { // an owned slot: remove drops the origin after it
            return Forgotten.NOTHING;
        }
        String origin = MigrationRun.origin(m.id());
        String moved = "";
        ConnectionDetails destination;
        try {
            destination = endpoints.destination(m);
            Lsn applied;
            try (Connection c = destination.connect()) {
                applied = Origins.flushed(c, origin);
            }
            if (applied.isValid()) {
                Lsn at = new ReplicationSlots(endpoints.source(m)).advance(m.slotName(), applied);
                moved = "slot " + m.slotName() + " (yours, it stays) confirmed up to " + at + ", what the destination applied, and ";
            }
        } catch (SQLException | RuntimeException e) {
            String said = "its origin on the destination stays, so that a start follows on from where it got: slot " + m.slotName()
                    + " could not be moved up to that (" + e.getMessage() + ")";
            log.info("migration {}: {}", m.id(), said);
            return new Forgotten(said, true);
        }
        store.originOwned(m.id(), false);
        try {
            Origins.drop(destination, origin);
        } catch (SQLException | RuntimeException e) {
            log.info("migration {}: its origin on the destination stays until its next start ({})", m.id(), e.getMessage());
            return new Forgotten(moved + "its origin on the destination goes at the next start (" + e.getMessage() + ")", false);
        }
        return new Forgotten(moved + "its origin on the destination dropped: a start follows on from the slot's position", false);
    }

    /**
     * What {@link #forgetOrigin} did, in words (null: nothing to do); {@code originKept}: the origin stays, since the user's
     * slot could not be moved up to it.
     */
    record Forgotten(String said, boolean originKept) {
        static final Forgotten NOTHING = new Forgotten(null, false);
    }

    /**
     * After a switchover: what the migration made on the source goes ({@link #removeQuietly}), and a {@code follow_only}
     * migration's origin on the destination. Returns what to tell the user of the slot and publication a {@code follow_only}
     * migration followed, which are the user's and stay (the slot keeps WAL on the source); null: nothing.
     */
    String switchedOver(Migration m) {
        boolean owned = owned(m);
        Forgotten forgotten = forgetOrigin(m); // before the slot it made goes
        removeQuietly(m, "it switched over");
        if (m.mode() != Migration.Mode.FOLLOW_ONLY) {
            return null;
        }
        return owned ? null : "slot " + m.slotName() + " and publication " + m.publication() + " are yours and stay on the source; "
                + "the slot holds WAL on the source until it is dropped: SELECT pg_drop_replication_slot('"
                + m.slotName() + "')" + (forgotten.said() == null ? "" : "; " + forgotten.said());
    }

    /**
     * What a stopped run leaves: unless its stop kept the slot, what it made is dropped (see {@link #removeQuietly}); its
     * {@code record} says which, and what a start does next.
     */
    void afterStop(Migration m, boolean keptSlot, CloneProgress record) {
        String said;
        if (!keptSlot) {
            String forgotten = forgetOrigin(m).said(); // before the slot it made goes
            String dropped = removeQuietly(m, "it was stopped");
            said = "stopped" + (dropped == null && forgotten == null ? "" : ": " + (dropped == null ? forgotten
                    : forgotten == null ? dropped : dropped + "; " + forgotten));
        } else {
            said = "stopped" + (owned(m) ? ", keeping slot " + m.slotName() + " on the source: a start "
                    + (store.followState(m.id()).cloneCompleted() ? "follows on from where it stopped"
                    : "resumes the clone on its kept snapshot, or clones again once that is gone") : "");
        }
        record.log("info", said, Map.of("component", "migration"));
    }

    /**
     * {@link #remove} when the migration {@link #owned} them; a failure logged with what to do instead of thrown. Returns what
     * happened, in words; null when there was nothing to drop.
     */
    String removeQuietly(Migration m, String why) {
        if (!owned(m)) {
            return null;
        }
        try {
            return remove(m);
        } catch (RuntimeException e) {
            String said = why + ", but its slot " + m.slotName() + " could not be dropped on the source: " + e.getMessage()
                    + "; drop it there (SELECT pg_drop_replication_slot('" + m.slotName() + "')) or delete the migration once the "
                    + "source is reachable";
            log.warn("migration {}: {}", m.id(), said);
            return said;
        }
    }
}
