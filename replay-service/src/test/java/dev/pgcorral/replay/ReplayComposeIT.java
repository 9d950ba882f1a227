package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.values.PgJson;
import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * The compose deployment of replay-service as an operator runs it: build, up (a logical source, a target,
 * the service), healthy; a session over the API, a change on the source through its published port, a
 * checkpoint, the target moved to Creation and back; down. Runs after packaging (failsafe).
 */
class ReplayComposeIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String PROJECT = "pgcorral-replay-it";
    static Map<String, String> env;
    static int servicePort;
    static int sourcePort;
    static int targetPort;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void composeUp() throws Exception {
        requireDocker();
        servicePort = freePort();
        sourcePort = freePort();
        targetPort = freePort();
        env = new HashMap<>(Map.of(
                "JRE_IMAGE", System.getenv().getOrDefault("PGCORRAL_TEST_JRE_IMAGE", "pgcorral-offline/jre:17"),
                "JRE_HOME", "/opt/java",
                "POSTGRES_IMAGE", System.getenv().getOrDefault("PGCORRAL_TEST_POSTGRES_IMAGE", "pgcorral-offline/postgres:15"),
                "REPLAY_SERVICE_IMAGE", "pgcorral/replay-service:it",
                "REPLAY_SERVICE_PORT", Integer.toString(servicePort),
                "REPLAY_SOURCE_PORT", Integer.toString(sourcePort),
                "REPLAY_TARGET_PORT", Integer.toString(targetPort),
                "REPLAY_DB_PASSWORD", "db-secret",
                "REPLAY_PASSWORD", "api-secret",
                "NETWORK_NAME", "pgcorral-replay-it"));
        compose("build", "replay-service");
        compose("up", "-d", "replay-service");
    }

    @AfterAll
    static void composeDown() throws Exception {
        if (env != null) {
            compose("down", "-v", "--remove-orphans");
        }
    }

    @Test
    void upCaptureCheckpointTravelDown() throws Exception {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> get("/actuator/health").statusCode() == 200);
        ConnectionDetails source = new ConnectionDetails("127.0.0.1", sourcePort, "app", "replay", "db-secret");
        ConnectionDetails target = new ConnectionDetails("127.0.0.1", targetPort, "target", "replay", "db-secret");
        sql(source, "CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'before')");

        HttpResponse<String> created = post("/api/v1/sessions", "{\"name\":\"compose\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("db-secret");
        String session = PgJson.mapper().readTree(created.body()).get("id").asString();
        assertThat(rows(target, "SELECT body FROM notes")).containsExactly("before");

        sql(source, "INSERT INTO notes VALUES (2, 'after')");
        HttpResponse<String> checkpoint = post("/api/v1/sessions/" + session + "/checkpoints", "{\"name\":\"two rows\"}");
        assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(201);
        String twoRows = PgJson.mapper().readTree(checkpoint.body()).get("id").asString();

        JsonNode forward = PgJson.mapper().readTree(post("/api/v1/sessions/" + session + "/restores?wait=true",
                "{\"checkpointId\":\"" + twoRows + "\"}").body());
        assertThat(forward.get("state").asString()).as(forward.toString()).isEqualTo("DONE");
        assertThat(rows(target, "SELECT body FROM notes ORDER BY id")).containsExactly("before", "after");

        JsonNode back = PgJson.mapper().readTree(post("/api/v1/sessions/" + session + "/restores?wait=true",
                "{\"checkpointId\":\"CREATION\"}").body());
        assertThat(back.get("state").asString()).as(back.toString()).isEqualTo("DONE");
        assertThat(rows(target, "SELECT body FROM notes ORDER BY id")).containsExactly("before");

        assertThat(get("/api/config").body()).doesNotContain("db-secret");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servicePort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servicePort + path))
                .header("Authorization", "Bearer api-secret").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void sql(ConnectionDetails db, String... statements) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static List<String> rows(ConnectionDetails db, String query) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static void requireDocker() {
        String problem = null;
        try {
            run(List.of("docker", "image", "inspect", System.getenv().getOrDefault("PGCORRAL_TEST_POSTGRES_IMAGE",
                    "pgcorral-offline/postgres:15")), Map.of());
        } catch (Exception e) {
            problem = "Docker engine or the offline images are not available (" + e.getMessage().lines().findFirst().orElse("")
                    + "); run scripts/build-offline-images with dockerd running";
        }
        if (problem != null) {
            if (System.getenv("CI") != null) {
                throw new AssertionError(problem);
            }
            Assumptions.abort(problem);
        }
    }

    private static void compose(String... args) throws Exception {
        List<String> command = new ArrayList<>(composeCommand());
        command.addAll(List.of("-p", PROJECT, "-f", ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        run(command, env);
    }

    private static List<String> composeCommand() {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, "docker-compose"))) {
                return List.of("docker-compose");
            }
        }
        return List.of("docker", "compose");
    }

    private static String run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
