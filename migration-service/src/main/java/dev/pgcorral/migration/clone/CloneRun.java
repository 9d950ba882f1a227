package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * One run of a clone, in the order that is fast and right: the source's snapshot exported; the schema's
 * pre-data restored; every table's rows copied in parallel through that snapshot (large tables in page
 * ranges), with the large objects; then indexes, constraints and triggers built in parallel; materialized
 * views refreshed; sequences set to the source's values; {@code ANALYZE}. Phases: connecting, schema, copy,
 * indexes, finishing, then done. Run it on its own thread; {@link #cancel()} stops it.
 */
public final class CloneRun {

    /** The last phase of a clone that a follow comes after. */
    public static final String LAST_FOLLOWED_PHASE = "finishing";

    /**
     * @param startOver   an earlier run of this migration wrote to the destination: drop that first
     * @param splitAbove  tables larger than this many bytes are copied in page ranges
     * @param snapshots   where the snapshot comes from (a slot's, for a clone that is followed)
     * @param followed    a follow comes next: the run ends after finishing, without a phase done
     * @param madePublications the publications migrations made on the source (read when the schema is dumped): the clone leaves them out
     * @param made        what an earlier run made in the destination ({@link Listener#destinationMade}); null: not known
     */
    public record Job(String migrationId, ConnectionDetails source, ConnectionDetails destination, int workers, long splitAbove,
                      boolean startOver, CloneSnapshot.Source snapshots, boolean followed, Supplier<Set<String>> madePublications,
                      Set<Long> made) {

        /** A clone that is not followed: its own exported snapshot. */
        public Job(String migrationId, ConnectionDetails source, ConnectionDetails destination, int workers, long splitAbove,
                   boolean startOver, Supplier<Set<String>> madePublications, Set<Long> made) {
            this(migrationId, source, destination, workers, splitAbove, startOver, CloneSnapshot::export, false, madePublications, made);
        }
    }

    /** What the owner records as the run goes. */
    public interface Listener {
        void phase(String phase);

        /** The destination is about to be written: a later run must clean it first. */
        void writingDestination();

        /**
         * What the clone made in the destination, by OID (relations, schemas, functions, types, large objects, publications),
         * each time it has written more there; null when the destination was cleaned and is not known again yet. A run that
         * starts over drops nothing else.
         */
        void destinationMade(List<Long> objects);
    }

    private static final Logger log = LoggerFactory.getLogger(CloneRun.class);

    private final Job job;
    private final PgTools tools;
    private final Listener listener;
    private final CloneProgress progress;
    private final CloneState resumeFrom;
    private volatile boolean cancelled;
    private volatile Thread runner;
    private final RunConnections connections = new RunConnections();
    private CloneState state;

    /**
     * @param progress   the run's record, written as it goes
     * @param resumeFrom what an earlier run of the migration left, or null
     */
    public CloneRun(Job job, PgTools tools, Listener listener, CloneProgress progress, CloneState resumeFrom) {
        this.job = job;
        this.progress = progress;
        this.tools = tools;
        this.listener = listener;
        this.resumeFrom = resumeFrom;
    }

    public CloneProgress progress() {
        return progress;
    }

    /** Stops the run: its connections are aborted and a running pg_dump or pg_restore is killed; its snapshot is kept. */
    public void cancel() {
        cancelled = true;
        connections.abortAll();
        Thread running = runner;
        if (running != null) {
            running.interrupt();
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * Runs the clone to its end; on a kept {@link CloneState} (see {@link #leftover()}) when it can resume there.
     *
     * @throws CloneCancelledException when {@link #cancel()} stopped it
     * @throws Exception               what went wrong, with a message for the user
     */
    public void run() throws Exception {
        runner = Thread.currentThread();
        if (resumeFrom != null && resumeFrom.resumable()) {
            state = resumeFrom; // kept again if this run fails before it gets further
        } else if (resumeFrom != null) {
            resumeFrom.close();
        }
        phase("connecting");
        Connection src = null;
        Connection dst = null;
        try {
            src = connections.open(job.source(), "source");
            dst = connections.open(job.destination(), "destination");
            if (state != null) {
                info("resuming on the same snapshot: " + state.describe());
            } else {
                prepareDestination(dst);
                state = CloneState.begin(job.source(), job.destination(), tools, src, job.splitAbove(), job.workers() * 4, job.snapshots());
                info("snapshot " + state.snapshot.name() + " taken on the source");
            }
            progress.tables(List.copyOf(state.progress.values()));

            if (!state.schemaRestored) {
                phase("schema");
                state.schema.dump(state.snapshot.name(), job.madePublications().get());
                listener.writingDestination();
                state.schema.restorePreData();
                listener.destinationMade(Destination.objects(dst));
                state.schemaRestored = true;
                progress.event("schema_applied", "pre-data section restored (types, tables, functions, views)", Map.of());
                check();
            }

            phase("copy");
            if (!state.largeObjectsRestored) {
                state.schema.restoreLargeObjects();
                listener.destinationMade(Destination.objects(dst));
                state.largeObjectsRestored = true;
            }
            List<TablePart> remaining = state.remaining();
            info(state.tables.size() + " tables, " + remaining.size() + " of " + state.parts.size() + " parts to copy, " + job.workers()
                    + " workers");
            new TableCopier(job.source(), job.destination(), state.snapshot, progress, this::cancelled, connections)
                    .copy(remaining, state.progress, state.copied, job.workers());
            check();

            state.pastCopy = true;
            phase("indexes");
            state.schema.restorePostData(job.workers());
            listener.destinationMade(Destination.objects(dst)); // publications come with the post-data section
            check();

            phase(LAST_FOLLOWED_PHASE);
            int views = Finishing.refreshMaterializedViews(src, dst);
            Finishing.setSequences(dst, state.sequences);
            Finishing.analyze(job.destination(), state.tables, job.workers());
            try {
                Finishing.flush(dst);
            } catch (SQLException e) {
                progress.log("warning", "cannot make sure the clone is on disk on the destination (" + e.getMessage() + "): until "
                        + "its server writes its WAL out by itself (wal_writer_delay), a crash there can lose rows of this clone; "
                        + "GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) to the destination's user",
                        Map.of("component", "clone"));
            }
            info(views + " materialized view(s) refreshed, " + state.sequences.size() + " sequence(s) set, " + state.tables.size()
                    + " table(s) analyzed");
        } catch (Exception e) {
            if (cancelled && !(e instanceof CloneCancelledException)) {
                e = new CloneCancelledException();
            }
            if (!cancelled) {
                progress.failure(e.getMessage(), false);
                progress.log("error", e.getMessage(), Map.of("component", "clone"));
            }
            if (state != null && !state.resumable()) { // one that is: its owner keeps it or not (see leftover()), and says so
                state.close();
                state = null;
            }
            throw e;
        } finally {
            connections.close(src);
            connections.close(dst);
            runner = null;
            Thread.interrupted(); // a stop that came as the run ended
            progress.end();
        }
        state.done = true; // kept a while by the owner: a compare reads the source as the clone did
        if (!job.followed()) {
            phase("done");
            progress.end();
        }
    }

    /**
     * After a run: what it leaves while its snapshot lives (the caller keeps it a while, then closes it). After a
     * failure or a stop, a new run can resume on it; after success, a compare can read the source through it.
     */
    public Optional<CloneState> leftover() {
        return Optional.ofNullable(state);
    }

    private void prepareDestination(Connection dst) throws SQLException {
        List<String> contents = Destination.contents(dst);
        if (contents.isEmpty()) {
            return;
        }
        if (!job.startOver()) {
            throw new IllegalStateException("the destination database " + job.destination().database() + " is not empty ("
                    + String.join(", ", contents) + "): a clone goes into an empty database");
        }
        if (job.made() != null) {
            List<String> others = Destination.notMade(dst, job.made(), 10);
            if (!others.isEmpty()) {
                throw new IllegalStateException("the destination database " + job.destination().database() + " holds what this "
                        + "migration did not make (" + String.join(", ", others) + "): starting over drops what an earlier run made "
                        + "there, and would take those with it; move or drop them (or empty the database), then start again");
            }
        }
        info("starting over: the destination holds what an earlier run of this migration made, with no snapshot to resume on; "
                + "dropping it from " + job.destination().database() + " (" + String.join(", ", contents) + ")");
        Destination.clean(dst);
        listener.destinationMade(null);
    }

    private void check() {
        if (cancelled) {
            throw new CloneCancelledException();
        }
    }

    private void phase(String phase) {
        progress.enterPhase(phase);
        listener.phase(phase);
        info("phase " + phase);
    }

    private void info(String message) {
        progress.log("info", message, Map.of("component", "clone"));
        log.info("migration {}: {}", job.migrationId(), message);
    }
}
