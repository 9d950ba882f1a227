package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * replay-service (or another pgcorral service jar) as a child JVM ({@code java -jar replay-service.jar}),
 * configured through its environment only (no password on a command line), its output appended to a log
 * file; stopped gracefully with SIGTERM. Also a small client of its JSON API.
 */
final class ReplayService {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private final String name;
    private final String javaOptionsVariable;
    private final Path jar;
    private final Path logFile;
    private final Map<String, String> environment;
    private final String base;
    private final String password = UUID.randomUUID().toString();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Process process;

    /** @param source the database captured, {@code target} the one time travel moves, {@code metadata} replay-service's own */
    ReplayService(Path jar, Path work, ConnectionDetails source, ConnectionDetails target, ConnectionDetails metadata) throws IOException {
        this("replay-service", jar, work, Map.of(
                "INPUT_DSN", source.postgresUrl(),
                "OUTPUT_DSN", target.postgresUrl(),
                "SPRING_DATASOURCE_URL", metadata.jdbcUrl(),
                "SPRING_DATASOURCE_USERNAME", metadata.user(),
                "SPRING_DATASOURCE_PASSWORD", metadata.password(),
                "PGCORRAL_REPLAY_BACKUPDIR", work.resolve("backups").toString()), "BENCH_REPLAY_JAVA_OPTS");
    }

    /**
     * The service {@code name} (its Maven module, named in messages) from {@code jar}, with {@code environment}
     * besides {@code SERVER_PORT} (a free port) and {@code PGCORRAL_PASSWORD} (a random API password); extra JVM
     * options are read from the environment variable {@code javaOptionsVariable}. Its log is {@code work/<name>.log}.
     */
    ReplayService(String name, Path jar, Path work, Map<String, String> environment, String javaOptionsVariable) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with ./mvnw -q -B -DskipTests package -pl " + name + ",benchmarks -am");
        }
        this.name = name;
        this.javaOptionsVariable = javaOptionsVariable;
        this.jar = jar;
        this.logFile = work.resolve(name + ".log");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        this.base = "http://127.0.0.1:" + port;
        Map<String, String> all = new HashMap<>(environment);
        all.put("SERVER_PORT", Integer.toString(port));
        all.put("PGCORRAL_PASSWORD", password);
        this.environment = Map.copyOf(all);
    }

    Path logFile() {
        return logFile;
    }

    /** Starts the JVM and returns at once (see {@link #awaitHealthy()}). */
    void start() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String options = System.getenv(javaOptionsVariable); // e.g. -XX:StartFlightRecording=filename=/tmp/replay.jfr
        if (options != null && !options.isBlank()) {
            command.addAll(List.of(options.strip().split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /** Waits until {@code /actuator/health} says UP. */
    void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            checkAlive();
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " was not healthy within " + START_LIMIT.toSeconds() + " s; see " + logFile);
    }

    /** Throws when the JVM has exited. */
    void checkAlive() throws IOException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(name + " exited (status " + (p == null ? "?" : p.exitValue()) + "); its log ends with:\n"
                    + tail());
        }
    }

    boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** CPU time (user + system) the JVM has used so far, in seconds; NaN when unknown. */
    double cpuSeconds() {
        Process p = process;
        return p == null ? Double.NaN : p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** SIGTERM, then waits for the JVM to exit (its capture commits and stops); killed after a minute. */
    void stop() throws InterruptedException {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            log("%s did not stop within 60 s after SIGTERM; killing it", name);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** POST with a JSON body; the answer's JSON when its status is 2xx. */
    JsonNode post(String path, Map<String, ?> body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** DELETE; an empty answer (204) reads as a missing node. */
    JsonNode delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.header("Authorization", "Bearer " + password).timeout(Duration.ofMinutes(30)).build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(built.method() + " " + built.uri().getPath() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isBlank() ? JSON.missingNode() : JSON.readTree(response.body());
    }

    /** The last lines of its log. */
    String tail() throws IOException {
        List<String> lines = Files.exists(logFile) ? Files.readAllLines(logFile, StandardCharsets.UTF_8) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
