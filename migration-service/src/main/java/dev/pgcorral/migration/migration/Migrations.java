package dev.pgcorral.migration.migration;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.CloneRun;
import dev.pgcorral.migration.compare.Comparer;
import dev.pgcorral.migration.state.EmbeddedServer;

/**
 * Creates, starts, stops and deletes migrations; each start runs the clone on its own thread and records
 * its phases and outcome. A destination cluster {@value #EMBEDDED} is the embedded server: the clone goes
 * into a database there named after the migration ({@link #embeddedDatabase}).
 */
public final class Migrations {

    public static final String EMBEDDED = "embedded";

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private final MigrationStore store;
    private final NodeResolver nodes;
    private final EmbeddedServer embedded;
    private final PgTools tools;
    private final MigrationProperties.Copy settings;
    private final Map<String, CloneRun> running = new ConcurrentHashMap<>();

    public Migrations(MigrationStore store, NodeResolver nodes, EmbeddedServer embedded, PgTools tools, MigrationProperties.Copy settings) {
        this.store = store;
        this.nodes = nodes;
        this.embedded = embedded;
        this.tools = tools;
        this.settings = settings;
    }

    public MigrationStore store() {
        return store;
    }

    public Migration create(NewMigration request) {
        List<String> problems = request.problems();
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("validation: " + String.join("\n", problems));
        }
        if (Migration.Mode.fromWire(request.mode()) != Migration.Mode.CLONE_ONLY) {
            throw ApiException.badRequest("mode " + request.mode() + ": following a source (CDC) and switching over are not in this "
                    + "version of migration-service yet; create the migration with mode clone_only");
        }
        Instant now = Instant.now();
        Migration m = new Migration(request.id(), request.name(), request.sourceClusterId(), request.destClusterId(), request.sourceNodeId(),
                request.destNodeId(), Migration.Mode.fromWire(request.mode()), Boolean.TRUE.equals(request.fallback()), Migration.Status.CREATED,
                "", "", request.slotOrDefault(), request.publicationOrDefault(), request.workers(settings.workers()), null, 0, 0, 0, 0, false,
                null, null, now, now);
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
    public Optional<CloneProgress> live(String id) {
        return Optional.ofNullable(running.get(id)).map(CloneRun::progress);
    }

    public synchronized void start(String id) {
        Migration m = get(id);
        if (running.containsKey(id) || m.status() == Migration.Status.RUNNING || m.status() == Migration.Status.STREAMING) {
            throw ApiException.conflict("migration \"" + id + "\" is already running");
        }
        ConnectionDetails source = nodes.connection(m.sourceClusterId(), m.sourceNodeId());
        ConnectionDetails destination = destination(m);
        CloneRun run = new CloneRun(new CloneRun.Job(id, source, destination, m.copyWorkers(), settings.splitAbove().toBytes(), m.destWritten()),
                tools, new CloneRun.Listener() {
                    @Override
                    public void phase(String phase) {
                        store.phase(id, phase, running.get(id).progress());
                    }

                    @Override
                    public void writingDestination() {
                        store.destinationWritten(id);
                    }
                });
        store.started(id);
        running.put(id, run);
        Thread thread = new Thread(() -> execute(id, run), "migration-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    public void stop(String id) {
        get(id);
        CloneRun run = running.get(id);
        if (run == null) {
            throw ApiException.conflict("migration \"" + id + "\" is not running");
        }
        run.cancel();
    }

    public void delete(String id, boolean force) {
        get(id);
        CloneRun run = running.get(id);
        if (run != null) {
            if (!force) {
                throw ApiException.conflict("cannot delete a running migration (use ?force=true)");
            }
            run.cancel();
        }
        store.delete(id);
    }

    /** Source against destination, table by table (any time; while a clone runs, its tables differ). */
    public Comparer.Result compare(String id) {
        Migration m = get(id);
        ConnectionDetails source = nodes.connection(m.sourceClusterId(), m.sourceNodeId());
        ConnectionDetails destination = destination(m);
        try {
            return new Comparer().compare(source, destination);
        } catch (java.sql.SQLException e) {
            throw new ApiException(org.springframework.http.HttpStatus.BAD_GATEWAY, "Compare failed", "cannot compare " + source.redacted()
                    + " with " + destination.redacted() + ": " + e.getMessage());
        }
    }

    /** The destination of a migration: a registered node, or a database on the embedded server. */
    ConnectionDetails destination(Migration m) {
        if (EMBEDDED.equals(m.destClusterId())) {
            return embedded.database(embeddedDatabase(m.id()));
        }
        return nodes.connection(m.destClusterId(), m.destNodeId());
    }

    /** The embedded destination's database: the migration id in lower case, other characters as _. */
    public static String embeddedDatabase(String id) {
        String name = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    private void execute(String id, CloneRun run) {
        try {
            run.run();
            store.finished(id, Migration.Status.COMPLETED, "done", null, run.progress());
        } catch (Exception e) {
            boolean stopped = run.cancelled();
            String message = stopped ? null : e.getMessage();
            if (!stopped) {
                log.warn("migration {} failed: {}", id, message);
            }
            try {
                store.finished(id, stopped ? Migration.Status.STOPPED : Migration.Status.FAILED, stopped ? "stopped" : "error", message,
                        run.progress());
            } catch (RuntimeException recording) {
                log.warn("migration {}: cannot record its end: {}", id, recording.getMessage());
            }
        } finally {
            running.remove(id);
        }
    }
}
