package dev.pgcorral.migration.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.clone.CloneCancelledException;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.CloneRun;
import dev.pgcorral.migration.clone.CloneSnapshot;
import dev.pgcorral.migration.clone.CloneState;
import dev.pgcorral.migration.clone.TableProgress;
import dev.pgcorral.migration.clone.UnloggedTables;
import dev.pgcorral.migration.follow.ApplyException;
import dev.pgcorral.migration.follow.DatabaseReadOnly;
import dev.pgcorral.migration.follow.Follower;
import dev.pgcorral.migration.follow.Origins;
import dev.pgcorral.migration.follow.ReplicaIdentityAdvice;
import dev.pgcorral.migration.follow.SchemaChangeException;
import dev.pgcorral.migration.follow.SourceReplication;
import dev.pgcorral.migration.follow.Switchover;
import dev.pgcorral.migration.follow.UntilReachable;

/**
 * One start of a migration. {@code clone_only}: the clone, on a snapshot of its own. A followed migration:
 * the publication and a slot with its exported snapshot created on the source, the clone read through that
 * snapshot, then the follow from exactly where the snapshot ends, until stopped; a start after a clone
 * completed (and while its slot lives) follows on from where the destination got. Run it on its own thread.
 */
final class MigrationRun {

    private static final Logger log = LoggerFactory.getLogger(MigrationRun.class);

    private final Migration migration;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final MigrationStore store;
    private final PgTools tools;
    private final MigrationProperties.Copy settings;
    private final MigrationProperties.Switchover switchoverSettings;
    private final CloneState resumeFrom;
    private final ReverseStarter reverse;
    private final CloneProgress record;
    private volatile CloneRun clone;
    private volatile Follower follower;
    private volatile boolean cancelled;
    private volatile boolean keepSlot;
    private volatile boolean switching;
    private volatile Switchover.Result switched;
    private final UntilReachable reachable;
    private final OneSwitchoverPerSource switchovers;
    /** Started by the service's restart (not by a user): see {@link #afterRestart}. */
    private boolean restarted;

    MigrationRun(Migration migration, ConnectionDetails source, ConnectionDetails destination, MigrationStore store, PgTools tools,
                 MigrationProperties.Copy settings, MigrationProperties.Switchover switchoverSettings, CloneState resumeFrom,
                 ReverseStarter reverse, OneSwitchoverPerSource switchovers) {
        this.migration = migration;
        this.source = source;
        this.destination = destination;
        this.store = store;
        this.tools = tools;
        this.settings = settings;
        this.switchoverSettings = switchoverSettings;
        this.resumeFrom = resumeFrom;
        this.reverse = reverse;
        this.record = new CloneProgress(line -> keepLog(store, migration.id(), line));
        this.reachable = new UntilReachable(migration.id(), record);
        this.switchovers = switchovers;
    }

    /** Keeps the line in the store; one the store cannot take (it is down) goes to the service's own log instead. */
    private static void keepLog(MigrationStore store, String id, CloneProgress.LogEntry line) {
        try {
            store.keepLog(id, line);
        } catch (RuntimeException e) {
            log.warn("migration {}: {} (a log line the state store could not keep: {})", id, line.message(), e.getMessage());
        }
    }

    /** Marks a run that the service's restart starts (before {@link #run()}): it follows on or fails, never clones again by itself. */
    void afterRestart() {
        this.restarted = true;
    }

    /** Starts the migration back from the destination after a switchover with fallback. */
    @FunctionalInterface
    interface ReverseStarter {
        /** Starts the reverse migration; returns its id. */
        String start(Migration forward, String slot, String publication, SourceReplication.Begun begun);
    }

    Migration migration() {
        return migration;
    }

    LiveRun live() {
        Follower f = follower;
        return new LiveRun(record, f == null ? null : f.progress());
    }

    CloneProgress record() {
        return record;
    }

    boolean followed() {
        return migration.mode().follows();
    }

    /** Stops the run; a followed migration's slot and publication are dropped afterwards unless {@code keep}. */
    void cancel(boolean keep) {
        keepSlot = keep;
        cancelled = true;
        reachable.stop();
        CloneRun c = clone;
        if (c != null) {
            c.cancel();
        }
        Follower f = follower;
        if (f != null) {
            f.cancel();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean keepSlot() {
        return keepSlot;
    }

    /** What the switchover that ended this run did; null when none did. */
    Switchover.Result switched() {
        return switched;
    }

    /** Whether the follow runs (a switchover needs it). */
    boolean following() {
        Follower f = follower;
        return f != null && !f.cancelled() && !cancelled;
    }

    /**
     * Starts a switchover on its own thread; it ends the run when it completes, or gives the source its writes
     * back and lets the follow go on when it fails.
     *
     * @return why none starts (one is under way already, or another migration switches over from the same source); null
     *         when it starts
     */
    synchronized String switchover(Duration timeout) {
        if (switching || switched != null) {
            return "migration \"" + migration.id() + "\" is switching over already";
        }
        String other = switchovers.claim(source, migration.id());
        if (other != null) {
            return "migration \"" + other + "\" is switching over from the same source database: one at a time, since one that fails "
                    + "gives the source its writes back; try again once it has ended";
        }
        switching = true;
        Follower f = follower;
        Thread t = new Thread(() -> {
            try {
                switched = new FollowSwitchover(migration, source, destination, store, record, switchoverSettings, reverse).run(f, timeout);
                f.cancel(); // the run ends: switched over
            } catch (Exception e) {
                if (!cancelled) {
                    FollowSwitchover.failed(migration, store, record, e);
                } else {
                    warn("switchover_abandoned", "the migration was stopped during its switchover, which ended there: " + e.getMessage()
                            + " (what it had made read-only was given back, see the log)");
                }
            } finally {
                switchovers.release(migration.id());
                switching = false;
            }
        }, "migration-switchover-" + migration.id());
        t.setDaemon(true);
        t.start();
        return null;
    }

    /** What the clone leaves to keep a while (its snapshot): for a resume after a failure, or a compare after {@code clone_only}. */
    Optional<CloneState> leftover() {
        CloneRun c = clone;
        return c == null ? Optional.empty() : c.leftover();
    }

    SourceReplication sourceReplication() {
        return new SourceReplication(source, migration.slotName(), migration.publication());
    }

    /** The origin on the destination that records how far the follow applied. */
    static String origin(String migrationId) {
        return "pgcorral_" + MigrationEndpoints.embeddedDatabase(migrationId);
    }

    /** The publications migrations made on their sources, this one's included once its slot is made. */
    private Set<String> madePublications() {
        return store.publicationsMade();
    }

    void run() throws Exception {
        if (!followed()) {
            store.cloneStarting(migration.id());
            clone(new CloneRun.Job(migration.id(), source, destination, migration.copyWorkers(), settings.splitAbove().toBytes(),
                    migration.destWritten(), this::madePublications, store.destinationMade(migration.id())));
            return;
        }
        SourceReplication replication = sourceReplication();
        MigrationStore.FollowState state = store.followState(migration.id());
        boolean cloned = migration.mode() != Migration.Mode.FOLLOW_ONLY && state.cloneCompleted() && state.consistentLsn() != null;
        if (cloned) { // shown while the run waits for servers that may be long unreachable
            restoreClone();
            record.enterPhase("connecting");
        }
        giveOwedWritesBack();
        if (migration.mode() == Migration.Mode.FOLLOW_ONLY) {
            store.cloneStarting(migration.id()); // nothing cloned: an earlier run's record is not this one's
            record.enterPhase("connecting");
            if (!reachable.ask("cannot reach the source", replication::slotExists) || !reachable.ask("cannot reach the source", replication::publicationExists)) {
                throw new IllegalStateException("follow_only follows a slot and a publication that exist on the source: "
                        + (replication.slotExists() ? "" : "slot " + migration.slotName() + " does not exist (the destination must "
                        + "hold the data as of its position: create it with the source's writes stopped, SELECT "
                        + "pg_create_logical_replication_slot('" + migration.slotName() + "', 'pgoutput'), or on a replication "
                        + "connection with EXPORT_SNAPSHOT to copy through; see the docs' follow_only); ") + (replication.publicationExists() ? "" : "publication " + migration.publication()
                        + " does not exist (CREATE PUBLICATION … FOR ALL TABLES); ") + "or clone with mode clone_and_follow");
            }
            if (!state.originOwned()) { // left by an earlier migration of this id, maybe at another source's position
                reachable.ask("cannot reach the destination", () -> {
                    Origins.drop(destination, origin(migration.id()));
                    return null;
                });
                store.originOwned(migration.id(), true);
            }
            info("following slot " + migration.slotName() + " on the source");
            warnAboutSourceTables(reachable.ask("cannot reach the source", replication::tablesWithoutIdentity));
        } else if (cloned && reachable.ask("cannot reach the source", replication::slotExists)) { // follows on from that clone
            info("the destination holds the clone and the slot " + migration.slotName() + " is there: following on");
            // again at each start: tables created while it followed (a schema change stops it, and a start follows on)
            warnAboutSourceTables(reachable.ask("cannot reach the source", replication::tablesWithoutIdentity));
        } else {
            if (state.cloneCompleted() && restarted) {
                throw new IllegalStateException("the replication slot " + migration.slotName() + " is gone from the source (dropped while "
                        + "the service was down?): the follow cannot go on without losing changes. Start the migration again to clone "
                        + "the source again (what the earlier clone made on the destination is dropped first)");
            }
            if (state.cloneCompleted()) {
                record.restored(List.of(), List.of()); // the earlier clone, shown while the slot was looked for
                warn("slot_gone", "the replication slot " + migration.slotName() + " is gone from the source: cloning again (what the "
                        + "earlier clone made on the destination is dropped first)");
            }
            store.cloneStarting(migration.id());
            boolean slotIsOurs = state.consistentLsn() != null;
            CloneSnapshot.Source slotSnapshot = ignored -> {
                SourceReplication.Begun begun = replication.begin(slotIsOurs, slotIsOurs && state.publicationCreated());
                store.slotCreated(migration.id(), begun.consistentPoint(), begun.publicationCreated());
                Origins.drop(destination, origin(migration.id()));
                info("slot " + migration.slotName() + " created on the source at " + begun.consistentPoint()
                        + (begun.publicationCreated() ? ", with publication " : ", for the existing publication ") + migration.publication());
                if (!begun.ddlCaptured()) {
                    info("DDL statements are not captured (that needs a superuser on the source): a schema change there shows as a "
                            + "table or column the destination lacks");
                }
                warnAboutSourceTables(begun.withoutIdentity());
                return CloneSnapshot.of(begun.snapshot());
            };
            clone(new CloneRun.Job(migration.id(), source, destination, migration.copyWorkers(), settings.splitAbove().toBytes(),
                    migration.destWritten(), slotSnapshot, true, this::madePublications, store.destinationMade(migration.id())));
            String unread = new StoredDefinitions(store, migration.id()).replaceFromSnapshot(source, migration.publication(), clone.leftover());
            if (unread != null) {
                warn("definitions_unread", unread);
            }
            store.cloneCompleted(migration.id(), record);
            clone.leftover().ifPresent(CloneState::close); // the follow reads from the slot; its snapshot is of no more use
        }
        if (cancelled) {
            throw new CloneCancelledException();
        }
        MigrationStore.FollowState now = store.followState(migration.id()); // as the clone left it
        Lsn consistent = now.consistentLsn();
        Lsn startAt = consistent == null ? Lsn.INVALID : consistent;
        Follower f = new Follower(new Follower.Job(migration.id(), source, destination, migration.slotName(), migration.publication(),
                origin(migration.id()), startAt, migration.mode() == Migration.Mode.FOLLOW_ONLY, now.ddlStopLsn(),
                new StoredDefinitions(store, migration.id())),
                record);
        // until this run applies its first transaction, the lag in seconds is bounded from the last one recorded
        f.progress().appliedBefore(now.confirmedCommitTime());
        follower = f;
        if (cancelled) {
            f.cancel();
        }
        record.enterPhase("streaming");
        store.streaming(migration.id());
        if (migration.mode() == Migration.Mode.CLONE_FOLLOW_SWITCHOVER) {
            FollowSwitchover.whenCaughtUp(migration, f, switchoverSettings, () -> cancelled, () -> {
                String refused = switchover(switchoverSettings.timeout());
                if (refused == null) {
                    info("caught up: switching over, as the mode says");
                }
                return refused;
            });
        }
        try {
            f.run();
        } catch (SchemaChangeException e) {
            store.ddlStopped(migration.id(), e.position());
            throw DatabaseReadOnly.withHint(e, destination);
        } catch (ApplyException e) {
            throw DatabaseReadOnly.withHint(migration.mode() == Migration.Mode.FOLLOW_ONLY && e.duplicateKey() ? e.withHint(
                    "A follow_only destination holds the data as of the slot's position: a row it has already most likely means "
                    + "the slot was made before the destination's copy, whose changes it replays, unless something wrote there (see "
                    + "the docs' follow_only for making both at one point)") : e, destination);
        }
    }

    /**
     * A switchover cut off by a restart left the source or the destination read-only, and the restart could not reach it to
     * give it its writes back: the run does, first, once it can (the store keeps what is owed until then, for the next
     * restart if the service stops first).
     */
    private void giveOwedWritesBack() throws SQLException, InterruptedException {
        MigrationStore.WritesOwed owed = store.writesOwed(migration.id());
        if (owed.source()) {
            giveWritesBack("the source", source);
            owed = new MigrationStore.WritesOwed(false, owed.destination());
            store.writesOwed(migration.id(), owed);
        }
        if (owed.destination()) {
            giveWritesBack("the destination", destination);
            store.writesOwed(migration.id(), MigrationStore.WritesOwed.NONE);
        }
    }

    private void giveWritesBack(String side, ConnectionDetails db) throws SQLException, InterruptedException {
        boolean wasSet = reachable.ask("cannot reach " + side, () -> {
            if (!DatabaseReadOnly.isSet(db)) {
                return false; // the switchover had not stopped them
            }
            DatabaseReadOnly.reset(db);
            return true;
        });
        if (!wasSet) {
            return;
        }
        warn("writes_given_back", "writes given back to " + side + ", which a switchover the restart cut off had left read-only "
                + "(ALTER DATABASE " + db.database() + " RESET default_transaction_read_only)");
    }

    /** Says which tables of the source a follow cannot carry as they are: those without a replica identity, and unlogged ones. */
    private void warnAboutSourceTables(List<String> tables) throws SQLException, InterruptedException {
        if (!tables.isEmpty()) {
            warn("no_replica_identity", "tables without a replica identity: " + String.join(", ", tables)
                    + " (" + ReplicaIdentityAdvice.CAUSES + "). While they are published, the source refuses UPDATE and DELETE on "
                    + "those without any identity (INSERT works), and the follow cannot match the others; if the application updates "
                    + "or deletes their rows, for each, " + ReplicaIdentityAdvice.FIX);
        }
        List<String> unlogged = reachable.ask("cannot reach the source", () -> {
            try (Connection c = source.connect()) {
                return UnloggedTables.names(c);
            }
        });
        if (!unlogged.isEmpty()) {
            store.unloggedSeen(migration.id(), unlogged);
            warn("unlogged_tables", "unlogged tables: " + String.join(", ", unlogged) + ". Their changes are not written to the WAL, "
                    + "so the follow does not carry them (a compare shows them differing); a switchover copies them again while the "
                    + "source's writes are stopped (so it does once they are logged, for what changed before), within its timeout");
        }
    }

    /** A run that follows on shows the clone an earlier run made: its tables as copied, and its phases. */
    private void restoreClone() {
        List<TableProgress> tables = store.tables(migration.id()).stream()
                .map(t -> TableProgress.copied(t.schema(), t.name(), t.rowsCopied(), t.sizeBytes(), t.bytesCopied(), t.elapsedSeconds()))
                .toList();
        List<CloneProgress.Phase> phases = store.phases(migration.id()); // the clone's, then those of the runs that followed
        int cloneEnd = phases.stream().map(CloneProgress.Phase::phase).toList().lastIndexOf(CloneRun.LAST_FOLLOWED_PHASE);
        record.restored(tables, phases.subList(0, cloneEnd + 1));
    }

    private void clone(CloneRun.Job job) throws Exception {
        CloneRun run = new CloneRun(job, tools, new CloneRun.Listener() {
            @Override
            public void phase(String phase) {
                store.phase(migration.id(), phase, record);
            }

            @Override
            public void writingDestination() {
                store.destinationWritten(migration.id());
            }

            @Override
            public void destinationMade(List<Long> objects) {
                store.destinationMade(migration.id(), objects);
            }
        }, record, resumeFrom);
        clone = run;
        if (cancelled) {
            run.cancel();
        }
        run.run();
    }

    private void warn(String event, String message) {
        record.event(event, message, Map.of());
        record.log("warn", message, Map.of("component", "migration"));
        log.warn("migration {}: {}", migration.id(), message);
    }

    private void info(String message) {
        record.log("info", message, Map.of("component", "migration"));
        log.info("migration {}: {}", migration.id(), message);
    }
}
