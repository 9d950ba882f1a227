package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private volatile boolean cancelled;

    public CloneRun(Job job, PgTools tools, Listener listener) {
        this.job = job;
        this.tools = tools;
        this.listener = listener;
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
     * Runs the clone to its end.
     *
     * @throws CloneCancelledException when {@link #cancel()} stopped it
     * @throws Exception               what went wrong, with a message for the user
     */
    public void run() throws Exception {
        phase("connecting");
        try (Connection src = connect(job.source(), "source"); Connection dst = connect(job.destination(), "destination")) {
            prepareDestination(dst);
            try (CloneSnapshot snapshot = CloneSnapshot.export(job.source());
                 SchemaCopy schema = new SchemaCopy(tools, job.source(), job.destination())) {
                info("snapshot " + snapshot.name() + " exported on the source");
                snapshot.begin(src);
                List<SourceTable> tables = SourceTables.list(src);
                List<Finishing.SequenceValue> sequences = Finishing.sequences(src);
                src.commit();

                phase("schema");
                schema.dump(snapshot.name());
                listener.writingDestination();
                schema.restorePreData();
                progress.event("schema_applied", "pre-data section restored (types, tables, functions, views)", Map.of());
                check();

                phase("copy");
                schema.restoreLargeObjects();
                boolean tidRanges = src.getMetaData().getDatabaseMajorVersion() >= 14;
                List<TablePart> parts = SourceTables.parts(tables, job.splitAbove(), job.workers() * 4, tidRanges);
                Map<SourceTable, TableProgress> byTable = new LinkedHashMap<>();
                for (SourceTable t : tables) {
                    byTable.put(t, new TableProgress(t, (int) parts.stream().filter(p -> p.table() == t).count()));
                }
                progress.tables(List.copyOf(byTable.values()));
                info(tables.size() + " tables, " + parts.size() + " parts, " + job.workers() + " workers");
                new TableCopier(job.source(), job.destination(), snapshot, progress, this::cancelled).copy(parts, byTable, job.workers());
                check();

                phase("indexes");
                schema.restorePostData(job.workers());
                check();

                phase("finishing");
                int views = Finishing.refreshMaterializedViews(src, dst);
                Finishing.setSequences(dst, sequences);
                Finishing.analyze(job.destination(), tables, job.workers());
                info(views + " materialized view(s) refreshed, " + sequences.size() + " sequence(s) set, " + tables.size() + " table(s) analyzed");
            }
        } catch (Exception e) {
            if (!cancelled) {
                progress.failure(e.getMessage(), false);
                progress.log("error", e.getMessage(), Map.of("component", "clone"));
            }
            throw e;
        } finally {
            progress.end();
        }
        phase("done");
        progress.end();
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
