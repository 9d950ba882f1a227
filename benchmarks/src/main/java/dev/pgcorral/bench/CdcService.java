package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service as a child JVM (as {@link CloneService} runs it: its jar, its state on its embedded PostgreSQL
 * in a folder of the run) following a source through its API: a {@code clone_and_follow} migration, started and
 * polled until it is {@code streaming}, stopped at the end (which drops its slot and publication). While the load
 * runs it can read the lag the service itself reports ({@code live_lag_bytes}, {@code live_lag_seconds}) once a second.
 */
final class CdcService {

    static final String NAME = CloneService.NAME;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LIMIT = Duration.ofMinutes(30);

    /** What the service reported about its own lag: the most of each field it gave, and how many readings. */
    private final Map<String, Double> reportedMax = new LinkedHashMap<>();
    private final AtomicBoolean readingFailed = new AtomicBoolean();
    private final ReplayService jvm;
    private int readings;
    private volatile boolean created;
    private ScheduledExecutorService reader;

    /** @param stateDir an empty folder for the embedded PostgreSQL's data */
    CdcService(Path jar, Path work, Path stateDir) throws IOException {
        this.jvm = CloneService.jvm(jar, work, stateDir, "BENCH_CDC_JAVA_OPTS");
    }

    Path logFile() {
        return jvm.logFile();
    }

    /** The last lines of its log (the log goes with the run's folder at the end). */
    String logTail() throws IOException {
        return jvm.tail();
    }

    /** Starts the JVM and returns at once. */
    void start() throws IOException {
        jvm.start();
    }

    void awaitHealthy() throws IOException, InterruptedException {
        jvm.awaitHealthy();
    }

    /** CPU time (user + system) of the JVM so far, seconds. */
    double cpuSeconds() {
        return jvm.cpuSeconds();
    }

    /** {@code POST /api/v1/clusters}: one primary node, {@code db}'s database. */
    CloneService.Cluster cluster(String name, ConnectionDetails db) throws IOException, InterruptedException {
        return CloneService.cluster(jvm, name, db);
    }

    /**
     * Creates a {@code clone_and_follow} migration {@code id} from {@code source} to {@code target}, starts it and
     * polls it every 100 ms until it is {@code streaming}; returns the seconds from the start call to that poll.
     * Throws with its {@code error_message} when it fails, stops or completes instead.
     */
    double follow(String id, CloneService.Cluster source, CloneService.Cluster target) throws IOException, InterruptedException {
        Map<String, Object> migration = new LinkedHashMap<>();
        migration.put("id", id);
        migration.put("name", "bench-cdc " + id);
        migration.put("source_cluster_id", source.id());
        migration.put("dest_cluster_id", target.id());
        migration.put("source_node_id", source.nodeId());
        migration.put("dest_node_id", target.nodeId());
        migration.put("mode", "clone_and_follow");
        jvm.post("/api/v1/migrations", migration);
        created = true;
        long started = System.nanoTime();
        jvm.post("/api/v1/migrations/" + id + "/start", Map.of());
        String last = "";
        while (true) {
            JsonNode state = state(id);
            String status = state.path("status").asString();
            switch (status) {
                case "streaming" -> {
                    return (System.nanoTime() - started) / 1e9;
                }
                case "failed", "stopped", "completed" -> throw new IllegalStateException(describe(id, state) + " (instead of streaming)");
                default -> {
                    String now = status + ", phase " + state.path("phase").asString();
                    if (!now.equals(last)) {
                        log("  %s: %s", id, now);
                        last = now;
                    }
                }
            }
            if (System.nanoTime() - started > LIMIT.toNanos()) {
                throw new IllegalStateException("migration " + id + " was not streaming within " + LIMIT.toMinutes() + " min; last: " + state);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Whether {@link #follow} got as far as creating its migration. */
    boolean created() {
        return created;
    }

    /** {@code GET /api/v1/migrations/{id}}; when the service cannot be reached, says whether its JVM runs. */
    JsonNode state(String id) throws IOException, InterruptedException {
        try {
            return jvm.get("/api/v1/migrations/" + id);
        } catch (IOException e) {
            jvm.checkAlive(); // throws with the log's end when it exited
            throw new IOException(NAME + " did not answer though its JVM runs: " + e, e);
        }
    }

    /** Null while migration {@code id} is streaming; else its status, phase and error message. */
    String problem(String id) throws IOException, InterruptedException {
        JsonNode state = state(id);
        return state.path("status").asString().equals("streaming") ? null : describe(id, state);
    }

    private static String describe(String id, JsonNode state) {
        return "migration " + id + " " + state.path("status").asString() + " in phase " + state.path("phase").asString() + ": "
                + state.path("error_message").asString();
    }

    /** From now on, once a second, reads migration {@code id}'s own lag fields, where it gives them. */
    void startLagReadings(String id) {
        reader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "bench-cdc-service-lag");
            thread.setDaemon(true);
            return thread;
        });
        reader.scheduleAtFixedRate(() -> {
            try {
                JsonNode state = state(id);
                synchronized (reportedMax) {
                    readings++;
                    for (String field : List.of("live_lag_bytes", "live_lag_seconds")) {
                        if (state.path(field).isNumber()) {
                            reportedMax.merge(field + "_max", state.path(field).asDouble(), Math::max);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (readingFailed.compareAndSet(false, true)) {
                    log("%s: reading its lag: %s", NAME, e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    /** Stops the readings; returns the most each lag field reached, with the number of readings. */
    Map<String, Object> stopLagReadings() throws InterruptedException {
        reader.shutdown();
        reader.awaitTermination(30, TimeUnit.SECONDS);
        synchronized (reportedMax) {
            Map<String, Object> json = new LinkedHashMap<>();
            reportedMax.forEach((field, max) -> json.put(field, field.contains("bytes") ? (Object) Math.round(max) : CdcWay.thousandths(max)));
            json.put("readings", readings);
            return json;
        }
    }

    /**
     * {@code POST /api/v1/migrations/{id}/stop}, then polls until it is no longer {@code streaming} (a minute at
     * most); returns its last state (its {@code slot_name} and {@code publication}).
     */
    JsonNode stopMigration(String id) throws IOException, InterruptedException {
        return stopMigration(id, "");
    }

    private JsonNode stopMigration(String id, String query) throws IOException, InterruptedException {
        jvm.post("/api/v1/migrations/" + id + "/stop" + query, Map.of());
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            JsonNode state = state(id);
            if (!state.path("status").asString().equals("streaming") || System.nanoTime() > deadline) {
                return state;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** {@code POST /api/v1/migrations/{id}/stop?keep_slot=true}, then polls until it is {@code stopped}: the slot keeps the changes. */
    void pause(String id) throws IOException, InterruptedException {
        JsonNode state = stopMigration(id, "?keep_slot=true");
        if (!state.path("status").asString().equals("stopped")) {
            throw new IllegalStateException(describe(id, state) + " (instead of stopped)");
        }
    }

    /** {@code POST /api/v1/migrations/{id}/start} on a migration paused with its slot: it follows on from where it stopped. */
    void resume(String id) throws IOException, InterruptedException {
        jvm.post("/api/v1/migrations/" + id + "/start", Map.of());
    }

    /** {@code POST /api/v1/migrations/{id}/switchover}: the service answers at once and switches over on a thread of its own. */
    void switchover(String id) throws IOException, InterruptedException {
        jvm.post("/api/v1/migrations/" + id + "/switchover", Map.of());
    }

    /** {@code DELETE /api/v1/migrations/{id}?force=true}: stops it if it runs, drops what it left on the source. */
    void delete(String id) throws IOException, InterruptedException {
        jvm.delete("/api/v1/migrations/" + id + "?force=true");
    }

    /** SIGTERM, then waits for the JVM (and so its embedded PostgreSQL) to stop; an interrupt ends the wait. */
    void stop() {
        if (reader != null) {
            reader.shutdownNow();
        }
        try {
            jvm.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
