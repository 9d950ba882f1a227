package dev.pgcorral.migration.migration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.common.web.ValidationFailed;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.clone.CloneCancelledException;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.CloneState;
import dev.pgcorral.migration.compare.Comparer;
import dev.pgcorral.migration.follow.FollowProgress;
import dev.pgcorral.migration.state.EmbeddedServer;

/**
 * Creates, starts, stops and deletes migrations; each start runs the clone on its own thread and records
 * its phases and outcome. Where a migration's ends are: {@link MigrationEndpoints}.
 */
public final class Migrations implements AutoCloseable {

    public static final String EMBEDDED = MigrationEndpoints.EMBEDDED;

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private final MigrationStore store;
    private final MigrationEndpoints endpoints;
    private final PgTools tools;
    private final MigrationProperties.Copy settings;
    private final MigrationProperties.Switchover switchoverSettings;
    private final MadeOnSource made;
    private final Map<String, MigrationRun> running = new ConcurrentHashMap<>();
    private final Map<String, Thread> threads = new ConcurrentHashMap<>();
    /** How many of a migration's log lines {@link #logs} answers. */
    static final int LOG_LINES = 1000;
    private final KeptSnapshots kept;
    private final OneSwitchoverPerSource switchovers = new OneSwitchoverPerSource();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "migration-kept-snapshots");
        t.setDaemon(true);
        return t;
    });

    public Migrations(MigrationStore store, NodeResolver nodes, EmbeddedServer embedded, PgTools tools, MigrationProperties.Copy settings,
                      MigrationProperties.Switchover switchoverSettings) {
        this.store = store;
        this.endpoints = new MigrationEndpoints(nodes, embedded);
        this.tools = tools;
        this.settings = settings;
        this.switchoverSettings = switchoverSettings;
        this.made = new MadeOnSource(store, endpoints);
        this.kept = new KeptSnapshots(settings.keepSnapshot(), store, made);
        sweeper.scheduleWithFixedDelay(() -> kept.dropExpired(running::containsKey), 30, 30, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::recordPositions, 2, 2, TimeUnit.SECONDS);
    }

    public MigrationStore store() {
        return store;
    }

    /** Where a client reaches the migration's embedded destination (the embedded server running); empty for another one. */
    public Optional<ConnectionDetails> embeddedDestination(Migration m) {
        return endpoints.embeddedDestination(m);
    }

    public Migration create(NewMigration request) {
        List<String> problems = new java.util.ArrayList<>(request.problems()); // all at once, joined as pgmanager does
        problems.addAll(endpoints.unknown(request));
        if (!problems.isEmpty()) {
            throw new ValidationFailed(problems);
        }
        Instant now = Instant.now();
        Migration m = new Migration(request.id(), request.name(), request.sourceClusterId(), request.destClusterId(), request.sourceNodeId(),
                EMBEDDED.equals(request.destClusterId()) ? EMBEDDED : request.destNodeId(), Migration.Mode.fromWire(request.mode()), Boolean.TRUE.equals(request.fallback()), Migration.Status.CREATED,
                "", "", request.slotOrDefault(), request.publicationOrDefault(), request.workers(settings.workers()), null, 0, 0, 0, 0, false,
                null, null, now, now);
        SharedNames.refuse(m, store.list());
        if (!store.insert(m)) {
            throw ApiException.conflict("a migration with id \"" + m.id() + "\" already exists");
        }
        return store.find(m.id()).orElseThrow();
    }

    public Migration get(String id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("migration not found"));
    }

    public List<Migration> list() {
        return store.list();
    }

    /** The live record of a run in progress. */
    public Optional<LiveRun> live(String id) {
        return Optional.ofNullable(running.get(id)).map(MigrationRun::live);
    }

    /** The migration's last {@value #LOG_LINES} log lines, of every run, oldest first (kept in the store). */
    public List<CloneProgress.LogEntry> logs(String id) {
        get(id);
        return store.logs(id, LOG_LINES);
    }

    public synchronized void start(String id) {
        start(id, null);
    }

    private synchronized void startAfterRestart(String id, String note) {
        start(id, note);
    }

    /** Starts a run; {@code restartNote}: what a run the service's restart starts says about it (null: a user's start). */
    private void start(String id, String restartNote) {
        Migration m = get(id);
        MigrationRun current = running.get(id);
        if (current != null && current.cancelled()) {
            throw ApiException.conflict("migration \"" + id + "\" is stopping: start it once its status reads stopped");
        }
        boolean cutOff = m.status() == Migration.Status.RUNNING || m.status() == Migration.Status.STREAMING
                || m.status() == Migration.Status.SWITCHOVER; // after a restart: the status of the run the process's end cut off
        if (restartNote != null && (current != null || !cutOff)) {
            log.info("migration {}: not followed on after the restart: a call changed it meanwhile (status {})", id, m.status().wire());
            return;
        }
        if (current != null || restartNote == null && cutOff) {
            throw ApiException.conflict("migration \"" + id + "\" is already running");
        }
        Lsn switchedAt = store.followState(id).switchoverLsn();
        if (switchedAt != null) {
            throw ApiException.conflict("migration \"" + id + "\" switched over at " + switchedAt + ": its destination is where the writes go "
                    + "now, and a start would " + (m.mode() == Migration.Mode.FOLLOW_ONLY ? "apply the source's changes" : "clone the source")
                    + " over it; to move the database again, create a new migration");
        }
        if (m.mode() == Migration.Mode.FOLLOW_ONLY && store.followState(id).ownSlotDropped()) {
            throw ApiException.conflict("migration \"" + id + "\" followed slot " + m.slotName() + ", which it made itself (a fallback's "
                    + "reverse: its switchover made the slot) and which its stop or delete dropped: the changes made since are kept nowhere, "
                    + "so it cannot follow on. To replicate its source into that destination again, create a migration: clone_and_follow "
                    + "into an empty database, or follow_only from a new slot with the destination copied as of its position (see the "
                    + "docs' follow_only); a stop with keep_slot=true keeps such a slot for a later start");
        }
        ConnectionDetails source;
        ConnectionDetails destination;
        try {
            source = endpoints.source(m);
            destination = endpoints.destination(m);
        } catch (ApiException e) {
            if (e.status() != HttpStatus.NOT_FOUND) {
                throw e;
            }
            throw ApiException.conflict("migration \"" + id + "\" cannot start: " + e.getMessage()
                    + " (the cluster or node it names was changed since; create the migration again)");
        }
        MigrationRun run = new MigrationRun(m, source, destination, store, tools, settings, switchoverSettings,
                kept.take(id).orElse(null), this::startReverse, switchovers);
        if (restartNote != null) {
            run.afterRestart();
            run.record().event("restarted", restartNote, Map.of());
            run.record().log(restartNote.contains("switchover") ? "warn" : "info", restartNote, Map.of("component", "migration"));
        }
        store.started(id);
        running.put(id, run);
        Thread thread = new Thread(() -> execute(id, run), "migration-" + id);
        thread.setDaemon(true);
        threads.put(id, thread);
        thread.start();
    }

    /**
     * Stops a run; a followed migration's slot and publication are dropped unless {@code keepSlot}. A migration that is
     * not running but still has its slot (it failed, or was stopped with {@code keepSlot}) has them dropped: a start then
     * clones again.
     */
    public synchronized void stop(String id, boolean keepSlot) {
        Migration m = get(id);
        MigrationRun run = running.get(id);
        if (run != null) {
            String unreachable = keepSlot || !made.owned(m) ? null : made.unreachable(m);
            if (unreachable != null) { // refused before the run is stopped: it goes on, and resumes by itself once the source is back
                throw ApiException.conflict(cannotDrop(m, unreachable, "stop") + " (the migration goes on)");
            }
            run.cancel(keepSlot);
            return;
        }
        if (keepSlot || !made.owned(m)) {
            throw ApiException.conflict(notRunning(m, "nothing to stop" + (keepSlot && made.owned(m)
                    ? "; its slot " + m.slotName() + " is kept already (a stop without keep_slot drops it)" : "")));
        }
        String dropped;
        try {
            dropped = made.remove(m);
        } catch (RuntimeException e) {
            throw ApiException.conflict("migration \"" + id + "\" is not running, and its slot " + m.slotName()
                    + " could not be dropped on the source: " + e.getMessage());
        }
        // what it said it would do on a start (follow on from its slot) no longer holds: a start clones again, not on the
        // snapshot a failed clone left, whose slot is gone
        kept.take(id).ifPresent(CloneState::close);
        store.stoppedAfterRun(id);
        store.keepLog(id, new CloneProgress.LogEntry(Instant.now(), "info", "stopped after its run had ended (" + m.status().wire()
                + "): " + dropped + (m.mode() == Migration.Mode.FOLLOW_ONLY ? "; a start is refused: the changes made since are kept nowhere"
                : "; a start clones again"), Map.of("component", "migration")));
    }

    /**
     * Starts the switchover of a migration that follows its source (see {@link dev.pgcorral.migration.follow.Switchover});
     * {@code timeout}: how long writes may be stopped, null for the configured time.
     */
    public void switchover(String id, Duration timeout) {
        Migration m = get(id);
        if (m.mode() == Migration.Mode.CLONE_ONLY) {
            throw ApiException.conflict("migration \"" + id + "\" does not follow its source (mode clone_only): there is nothing to switch over");
        }
        MigrationRun run = running.get(id);
        if (run == null) {
            throw ApiException.conflict(notRunning(m, "start it (a migration that followed follows on), then switch over"));
        }
        if (!run.following()) {
            throw ApiException.conflict("migration \"" + id + "\" does not follow its source yet (phase " + run.record().phase()
                    + "): a switchover comes after the clone");
        }
        String refused = run.switchover(timeout == null ? switchoverSettings.timeout() : timeout);
        if (refused != null) {
            throw ApiException.conflict(refused);
        }
    }

    /**
     * Deletes a migration; a running one only with {@code force} (it is stopped first). What it made on the source
     * (slot, publication) is dropped unless {@code keepSlot}, and its origin on the destination with it; when the
     * source cannot be reached for that, nothing is deleted (409) rather than leave a slot that keeps WAL there.
     */
    public void delete(String id, boolean force, boolean keepSlot) {
        Migration m = get(id);
        MigrationRun run = running.get(id);
        if (run != null) {
            if (!force) {
                throw ApiException.conflict("cannot delete a running migration (use ?force=true)");
            }
            String unreachable = keepSlot || !made.owned(m) ? null : made.unreachable(m);
            if (unreachable != null) { // refused before the run is stopped: it goes on, and resumes by itself once the source is back
                throw ApiException.conflict(cannotDrop(m, unreachable, "delete") + " (the migration goes on)");
            }
            run.cancel(keepSlot);
            awaitEnd(id);
        }
        kept.take(id).ifPresent(CloneState::close);
        if (!keepSlot && made.forgetOrigin(m).originKept()) {
            throw ApiException.conflict("migration \"" + id + "\" is " + (run != null ? "stopped" : m.status().wire()) + " but not deleted: "
                    + "its slot " + m.slotName() + " on the source could not be moved up to what the destination applied, and without "
                    + "the origin that records it, a migration of this id would apply that again; delete it once the source answers, "
                    + "or with keep_slot=true (its origin then stays on the destination)");
        }
        if (!keepSlot && made.owned(m)) {
            try {
                made.remove(m);
            } catch (RuntimeException e) {
                throw ApiException.conflict(cannotDrop(m, e.getMessage(), "delete"));
            }
        }
        store.delete(id);
    }

    /** Why a stop or delete ({@code call}) is refused: what it made on the source cannot be dropped now. */
    private static String cannotDrop(Migration m, String why, String call) {
        return "cannot drop the slot " + m.slotName() + " and publication " + m.publication() + " on the source: " + why
                + "; try again once the source is reachable, or " + call + " with ?keep_slot=true to leave them there (the source then "
                + "keeps WAL for the slot until you drop it)";
    }

    /**
     * Source against destination, table by table, any time (while a clone runs, its tables differ). Within
     * {@code keep-snapshot} of a completed clone, the source is read through the clone's snapshot, so the result
     * holds even while the source takes writes.
     */
    public Comparer.Result compare(String id) {
        Migration m = get(id);
        ConnectionDetails source = endpoints.source(m);
        ConnectionDetails destination = endpoints.destination(m);
        Optional<CloneState> clone = kept.get(id).filter(CloneState::completedAndOpen);
        try {
            Comparer.Result result = new Comparer().compare(source, destination, clone.isPresent() ? clone.get()::beginOnSnapshot : null);
            if (result.equal()) {
                return result;
            }
            if (m.status() == Migration.Status.CREATED) {
                return result.withNote("the migration has not run yet: its destination holds nothing it copied. Start it, then compare");
            }
            return live(id).map(LiveRun::follow).filter(f -> !f.hasEnded()).map(f -> result.withNote(whileFollowing(f.lag()))).orElse(result);
        } catch (java.sql.SQLException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Compare failed", "cannot compare " + source.redacted()
                    + " with " + destination.redacted() + ": " + e.getMessage());
        }
    }

    /** Why a compare of a migration that follows may differ for now. */
    private static String whileFollowing(FollowProgress.Lag lag) {
        return "the migration follows the source" + (lag.bytes() >= 0 ? " (" + lag.bytes() + " bytes behind at the last look)" : "")
                + ": a difference can be a change not applied yet. For an answer that holds, compare once the source takes no "
                + "writes and the lag is 0, or after a switchover";
    }

    /** Why a call that needs a run cannot be served, and {@code next}: what to do, unless it switched over already. */
    private static String notRunning(Migration m, String next) {
        String switched = "switchover_complete".equals(m.phase()) ? ": it switched over already, and its destination takes the writes"
                : " (status " + m.status().wire() + "): " + next;
        return "migration \"" + m.id() + "\" is not running" + switched;
    }

    /** Ends the runs' kept snapshots. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        kept.close();
    }

    private void execute(String id, MigrationRun run) {
        try {
            run.run();
            if (run.cancelled() && run.switched() == null) {
                throw new CloneCancelledException();
            }
            wrapUp(id, run);
            if (run.switched() != null) {
                String left = made.switchedOver(run.migration());
                if (left != null) {
                    run.record().log("warn", left, java.util.Map.of("component", "switchover"));
                }
                store.finished(id, Migration.Status.COMPLETED, "switchover_complete", null, run.record());
                return;
            }
            store.finished(id, Migration.Status.COMPLETED, "done", null, run.record());
        } catch (Exception | Error e) { // an Error too (out of memory): the run must still end as failed, not stay "streaming"
            boolean stopped = run.cancelled();
            String message = stopped ? null : e instanceof OutOfMemoryError ? "the service ran out of memory (" + e.getMessage()
                    + "); start it with a larger heap (java -Xmx…) and start the migration again: it resumes where it stopped" : e.getMessage();
            if (!stopped) {
                log.warn("migration {} failed: {}", id, message);
                if (!run.record().lastFailureSays(message)) {
                    run.record().failure(message, false);
                    run.record().log("error", message, java.util.Map.of("component", "migration"));
                }
            }
            wrapUp(id, run);
            if (stopped) {
                made.afterStop(run.migration(), run.keepSlot(), run.record());
            }
            try {
                store.finished(id, stopped ? Migration.Status.STOPPED : Migration.Status.FAILED, stopped ? "stopped" : "error", message,
                        run.record());
            } catch (RuntimeException recording) {
                log.warn("migration {}: cannot record its end: {}", id, recording.getMessage());
            }
        } finally {
            running.remove(id);
            threads.remove(id);
        }
    }

    /**
     * What every ended run does before its outcome is stored: its snapshot kept if of use, its last phase ended, and
     * where it got recorded (after a switchover: past its sentinel).
     */
    private void wrapUp(String id, MigrationRun run) {
        kept.keep(id, run);
        run.record().end();
        recordPosition(id, run);
    }

    /**
     * After a switchover with fallback: a {@code follow_only} migration {@code <id>-reverse} (clusters swapped; {@code -reverse-2}
     * and on when that id is taken) that follows the slot just made on the destination into the source, and owns it (stop and
     * delete drop it). Returns its id.
     */
    private String startReverse(Migration forward, String slot, String publication, dev.pgcorral.migration.follow.SourceReplication.Begun begun) {
        String id = forward.id() + "-reverse";
        for (int n = 2; store.find(id).isPresent(); n++) {
            id = forward.id() + "-reverse-" + n;
        }
        Instant now = Instant.now();
        Migration reverse = new Migration(id, forward.name() + " (reverse)", forward.destClusterId(), forward.sourceClusterId(),
                forward.destNodeId(), forward.sourceNodeId(), Migration.Mode.FOLLOW_ONLY, false, Migration.Status.CREATED, "", "", slot,
                publication, forward.copyWorkers(), null, 0, 0, 0, 0, false, null, null, now, now);
        store.insert(reverse);
        store.slotCreated(id, begun.consistentPoint(), begun.publicationCreated());
        store.cloneCompleted(id, new CloneProgress()); // the data is there already: nothing was cloned
        start(id);
        log.info("migration {}: fallback runs as migration {}", forward.id(), id);
        return id;
    }

    /** Waits for a cancelled run's thread to end (it drops what it should on the way out). */
    private void awaitEnd(String id) {
        Thread t = threads.get(id);
        if (t == null) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** pgmanager's {@code confirmed_lsn}: the follows' applied positions, recorded every 2 s with their commit times. */
    private void recordPositions() {
        running.forEach(this::recordPosition);
    }

    private void recordPosition(String id, MigrationRun run) {
        LiveRun live = run.live();
        if (live.follow() != null && live.follow().applied().isValid()) {
            try {
                // the time read first: it is then of the position recorded or of one before it, which bounds the lag from above
                Instant commitTime = live.follow().appliedCommitTime();
                store.confirmed(id, live.follow().applied(), commitTime);
            } catch (RuntimeException e) {
                log.debug("migration {}: cannot record its position: {}", id, e.getMessage());
            }
        }
    }

    /** At start-up, the runs the process's end cut off (see {@link AfterRestart}). */
    public void resumeInterrupted() {
        new AfterRestart(store, endpoints, made, this::startAfterRestart).resume();
    }
}
