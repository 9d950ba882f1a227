package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /**
     * @param startOver   an earlier run of this migration wrote to the destination: drop that first
     * @param splitAbove  tables larger than this many bytes are copied in page ranges
     */
    public record Job(String migrationId, ConnectionDetails source, ConnectionDetails destination, int workers, long splitAbove,
                      boolean startOver) {
    }

    /** What the owner records as the run goes. */
    public interface Listener {
        void phase(String phase);

        /** The destination is about to be written: a later run must clean it first. */
        void writingDestination();
    }

    private static final Logger log = LoggerFactory.getLogger(CloneRun.class);

    private final Job job;
    private final PgTools tools;
    private final Listener listener;
    private final CloneProgress progress = new CloneProgress();
    private final CloneState resumeFrom;
    private volatile boolean cancelled;
    private CloneState state;

    /** @param resumeFrom what an earlier run of the migration left, or null */
    public CloneRun(Job job, PgTools tools, Listener listener, CloneState resumeFrom) {
        this.job = job;
        this.tools = tools;
        this.listener = listener;
        this.resumeFrom = resumeFrom;
    }

    public CloneProgress progress() {
        return progress;
    }

    public void cancel() {
        cancelled = true;
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
        phase("connecting");
        try (Connection src = connect(job.source(), "source"); Connection dst = connect(job.destination(), "destination")) {
            if (resumeFrom != null && resumeFrom.resumable()) {
                state = resumeFrom;
                info("resuming on the same snapshot: " + state.describe());
            } else {
                if (resumeFrom != null) {
                    resumeFrom.close();
                }
                prepareDestination(dst);
                state = CloneState.begin(job.source(), job.destination(), tools, src, job.splitAbove(), job.workers() * 4);
                info("snapshot " + state.snapshot.name() + " exported on the source");
            }
            progress.tables(List.copyOf(state.progress.values()));

            if (!state.schemaRestored) {
                phase("schema");
                state.schema.dump(state.snapshot.name());
                listener.writingDestination();
                state.schema.restorePreData();
                state.schemaRestored = true;
                progress.event("schema_applied", "pre-data section restored (types, tables, functions, views)", Map.of());
                check();
            }

            phase("copy");
            if (!state.largeObjectsRestored) {
                state.schema.restoreLargeObjects();
                state.largeObjectsRestored = true;
            }
            List<TablePart> remaining = state.remaining();
            info(state.tables.size() + " tables, " + remaining.size() + " of " + state.parts.size() + " parts to copy, " + job.workers()
                    + " workers");
            new TableCopier(job.source(), job.destination(), state.snapshot, progress, this::cancelled)
                    .copy(remaining, state.progress, state.copied, job.workers());
            check();

            state.pastCopy = true;
            phase("indexes");
            state.schema.restorePostData(job.workers());
            check();

            phase("finishing");
            int views = Finishing.refreshMaterializedViews(src, dst);
            Finishing.setSequences(dst, state.sequences);
            Finishing.analyze(job.destination(), state.tables, job.workers());
            info(views + " materialized view(s) refreshed, " + state.sequences.size() + " sequence(s) set, " + state.tables.size()
                    + " table(s) analyzed");
        } catch (Exception e) {
            if (!cancelled) {
                progress.failure(e.getMessage(), false);
                progress.log("error", e.getMessage(), Map.of("component", "clone"));
            }
            if (state != null && state.resumable()) {
                info("the snapshot is kept: started again, the migration resumes on it (" + state.describe() + ")");
            } else if (state != null) {
                state.close();
                state = null;
            }
            throw e;
        } finally {
            progress.end();
        }
        state.close();
        state = null;
        phase("done");
        progress.end();
    }

    /** After a run that failed or was stopped: what a new run can resume on, if anything (the caller closes it). */
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
        info("starting over: an earlier run of this migration was cut off before it finished, and its snapshot ended with it; "
                + "dropping what it made in " + job.destination().database() + " (" + String.join(", ", contents) + ")");
        Destination.clean(dst);
    }

    private Connection connect(ConnectionDetails details, String which) throws SQLException {
        try {
            return details.connect();
        } catch (SQLException e) {
            throw new SQLException("cannot connect to the " + which + " " + details.redacted() + ": " + e.getMessage(), e.getSQLState(), e);
        }
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
