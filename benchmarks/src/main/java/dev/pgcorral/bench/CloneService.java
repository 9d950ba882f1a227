package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service as a child JVM ({@link ReplayService} runs its jar), its state on its embedded PostgreSQL in
 * a folder of the run, and the clone driven through its pgmanager-compatible API: a cluster per database,
 * a {@code clone_only} migration, started and polled until it completes.
 */
final class CloneService {

    static final String NAME = "migration-service";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LIMIT = Duration.ofMinutes(30);

    /** A cluster of one node as the service stored it. */
    record Cluster(String id, String nodeId) {
    }

    /**
     * A finished clone: {@code seconds} from the start call to the poll that saw {@code completed};
     * {@code serviceSeconds} from the migration's own {@code started_at} to {@code finished_at} (NaN when absent).
     */
    record Clone(double seconds, double serviceSeconds, double cpuSeconds, Map<String, Double> phaseSeconds) {
    }

    private final ReplayService jvm;

    /** @param stateDir an empty folder for the embedded PostgreSQL's data */
    CloneService(Path jar, Path work, Path stateDir) throws IOException {
        this.jvm = jvm(jar, work, stateDir, "BENCH_CLONE_JAVA_OPTS");
    }

    /**
     * migration-service's JVM for a benchmark: its state on its embedded PostgreSQL in {@code stateDir} (any free
     * port), a fresh key; {@code optsVariable} names the environment variable with more JVM options.
     */
    static ReplayService jvm(Path jar, Path work, Path stateDir, String optsVariable) throws IOException {
        return new ReplayService(NAME, jar, work, Map.of(
                "PGCORRAL_MIGRATION_EMBEDDED_DATADIR", stateDir.toString(),
                "PGCORRAL_MIGRATION_EMBEDDED_PORT", "0",
                "PGCORRAL_MIGRATION_KEY", UUID.randomUUID().toString()), optsVariable);
    }

    Path logFile() {
        return jvm.logFile();
    }

    /** Starts the JVM and returns at once. */
    void start() throws IOException {
        jvm.start();
    }

    void awaitHealthy() throws IOException, InterruptedException {
        jvm.awaitHealthy();
    }

    /** {@code POST /api/v1/clusters}: one primary node, {@code db}'s database. */
    Cluster cluster(String name, ConnectionDetails db) throws IOException, InterruptedException {
        return call(() -> cluster(jvm, name, db));
    }

    /** {@code POST /api/v1/clusters} on {@code jvm}. */
    static Cluster cluster(ReplayService jvm, String name, ConnectionDetails db) throws IOException, InterruptedException {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", name + "-1");
        node.put("host", db.host());
        node.put("port", db.port());
        node.put("role", "primary");
        node.put("user", db.user());
        node.put("password", db.password());
        node.put("dbname", db.database());
        JsonNode created = jvm.post("/api/v1/clusters", Map.of("name", name, "nodes", List.of(node)));
        String id = created.path("id").asString();
        String nodeId = created.path("nodes").path(0).path("id").asString();
        if (id.isEmpty() || nodeId.isEmpty()) {
            throw new IllegalStateException("POST /api/v1/clusters answered without a cluster or node id: " + created);
        }
        return new Cluster(id, nodeId);
    }

    /**
     * Creates a {@code clone_only} migration {@code id} from {@code source} to {@code target} with {@code jobs}
     * copy workers, starts it and polls it every 100 ms until it is {@code completed}; throws with its
     * {@code error_message} when it fails or stops.
     */
    Clone clone(String id, Cluster source, Cluster target, int jobs) throws IOException, InterruptedException {
        Map<String, Object> migration = new LinkedHashMap<>();
        migration.put("id", id);
        migration.put("name", "bench-clone " + id);
        migration.put("source_cluster_id", source.id());
        migration.put("dest_cluster_id", target.id());
        migration.put("source_node_id", source.nodeId());
        migration.put("dest_node_id", target.nodeId());
        migration.put("mode", "clone_only");
        migration.put("copy_workers", jobs);
        call(() -> jvm.post("/api/v1/migrations", migration));
        String path = "/api/v1/migrations/" + id;
        double cpu = jvm.cpuSeconds();
        long started = System.nanoTime();
        call(() -> jvm.post(path + "/start", Map.of()));
        String lastPhase = "";
        while (true) {
            JsonNode state = call(() -> jvm.get(path));
            long now = System.nanoTime();
            String status = state.path("status").asString();
            switch (status) {
                case "completed" -> {
                    Map<String, Double> phases = new java.util.LinkedHashMap<>();
                    for (JsonNode p : state.path("phases")) {
                        phases.put("phase_" + p.path("phase").asString() + "_s", p.path("duration_sec").asDouble());
                    }
                    log("  %s: completed, phases %s", id, phases);
                    return new Clone((now - started) / 1e9, between(state.path("started_at").asString(), state.path("finished_at").asString()),
                            jvm.cpuSeconds() - cpu, phases);
                }
                case "failed", "stopped" -> throw new IllegalStateException("migration " + id + " " + status + " in phase "
                        + state.path("phase").asString() + ": " + state.path("error_message").asString());
                default -> {
                    String phase = state.path("phase").asString();
                    if (!phase.equals(lastPhase)) {
                        int total = state.path("tables_total").asInt();
                        log("  %s: %s, phase %s%s", id, status, phase,
                                total == 0 ? "" : ", " + state.path("tables_copied").asInt() + " of " + total + " tables copied");
                        lastPhase = phase;
                    }
                }
            }
            if (now - started > LIMIT.toNanos()) {
                throw new IllegalStateException("migration " + id + " did not complete within " + LIMIT.toMinutes() + " min; last: " + state);
            }
            jvm.checkAlive();
            Thread.sleep(POLL.toMillis());
        }
    }

    /** SIGTERM, then waits for the JVM (and so its embedded PostgreSQL) to stop; an interrupt ends the wait. */
    void stop() {
        try {
            jvm.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Call<T> {
        T send() throws IOException, InterruptedException;
    }

    /** One API call; when it cannot be sent at all, the error says whether the JVM still runs, and its log's end is logged. */
    private <T> T call(Call<T> call) throws IOException, InterruptedException {
        try {
            return call.send();
        } catch (IOException e) {
            jvm.checkAlive(); // throws with the log's end when it exited
            log("%s did not answer (%s) though its JVM runs; its log ends with:%n%s", NAME, e, jvm.tail());
            throw new IOException(NAME + " did not answer though its JVM runs: " + e, e);
        }
    }

    private static double between(String from, String to) {
        try {
            return Duration.between(OffsetDateTime.parse(from), OffsetDateTime.parse(to)).toNanos() / 1e9;
        } catch (DateTimeParseException e) {
            return Double.NaN;
        }
    }
}
