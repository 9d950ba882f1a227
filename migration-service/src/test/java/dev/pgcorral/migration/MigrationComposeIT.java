package dev.pgcorral.migration;

import static dev.pgcorral.migration.MigrationTestBase.rows;
import static dev.pgcorral.migration.MigrationTestBase.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.cluster.HttpCalls;
import tools.jackson.databind.JsonNode;

/**
 * The compose deployment of migration-service as an operator runs it: build, up (a logical source, a
 * destination that also keeps the service's state, the service), healthy. Rows are put on the source through
 * its published port; over the API, with the Bearer password, the two clusters are registered by their compose
 * host names, a clone_only migration into {@code app} on the destination is created, started, completed and
 * compared equal. Without the password the API answers 401. The service's container is then replaced: the key
 * from compose still reads the stored cluster passwords. Down with volumes at the end, always. Runs after
 * packaging (failsafe), with the offline images of scripts/build-offline-images.
 */
class MigrationComposeIT {

    static final String POSTGRES_IMAGE = System.getenv().getOrDefault("PGCORRAL_TEST_POSTGRES_IMAGE", "pgcorral-offline/postgres:15");
    static final String API_PASSWORD = "api-secret";
    static final String DB_PASSWORD = "db-secret";
    static Compose compose;
    static int servicePort;
    static int sourcePort;
    static int destPort;

    @BeforeAll
    static void up() throws Exception {
        requireDockerAndImages();
        servicePort = freePort();
        sourcePort = freePort();
        destPort = freePort();
        compose = new Compose("pgcorral-migration-it", Map.ofEntries(
                Map.entry("JRE_IMAGE", System.getenv().getOrDefault("PGCORRAL_TEST_JRE_IMAGE", "pgcorral-offline/jre:17")),
                Map.entry("JRE_HOME", "/opt/java"),
                Map.entry("POSTGRES_IMAGE", POSTGRES_IMAGE),
                Map.entry("MIGRATION_SERVICE_IMAGE", "pgcorral/migration-service:it"),
                Map.entry("MIGRATION_SERVICE_PORT", Integer.toString(servicePort)),
                Map.entry("MIGRATION_SOURCE_PORT", Integer.toString(sourcePort)),
                Map.entry("MIGRATION_DEST_PORT", Integer.toString(destPort)),
                Map.entry("MIGRATION_DB_PASSWORD", DB_PASSWORD),
                Map.entry("MIGRATION_PASSWORD", API_PASSWORD),
                Map.entry("MIGRATION_KEY", "it-key-kept-across-containers"),
                Map.entry("NETWORK_NAME", "pgcorral-migration-it")));
        compose.run("build", "migration-service");
        compose.run("up", "-d", "migration-service");
    }

    @AfterAll
    static void down() throws Exception {
        if (compose != null) {
            compose.run("down", "-v", "--remove-orphans");
        }
    }

    @Test
    void registerCloneCompareThroughTheApi() throws Exception {
        awaitHealthy();
        HttpCalls api = new HttpCalls(servicePort, API_PASSWORD);
        ConnectionDetails source = new ConnectionDetails("127.0.0.1", sourcePort, "app", "migration", DB_PASSWORD);
        ConnectionDetails dest = new ConnectionDetails("127.0.0.1", destPort, "app", "migration", DB_PASSWORD);
        sql(source, "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, joined date)",
                "INSERT INTO customers (name, joined) SELECT 'customer ' || g, date '2024-01-01' + g FROM generate_series(1, 2000) g",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer int REFERENCES customers, total numeric(10,2))",
                "INSERT INTO orders SELECT g, 1 + g % 2000, g / 7.0 FROM generate_series(1, 5000) g",
                "CREATE INDEX orders_customer ON orders (customer)");

        HttpCalls stranger = new HttpCalls(servicePort, null);
        assertThat(stranger.get("/api/v1/clusters").status()).isEqualTo(401);
        assertThat(new HttpCalls(servicePort, "wrong").get("/api/v1/migrations").status()).isEqualTo(401);
        assertThat(stranger.post("/api/v1/clusters", clusterJson("sneaky", "migration-source")).status()).isEqualTo(401);

        JsonNode sourceCluster = register(api, "compose source", "migration-source");
        JsonNode destCluster = register(api, "compose destination", "migration-dest");
        assertThat(api.get("/api/v1/clusters").body()).doesNotContain(DB_PASSWORD);
        assertThat(rows(dest.withDatabase("migration"), "SELECT password FROM migration.nodes")).hasSize(2)
                .allSatisfy(stored -> assertThat(stored).startsWith("enc:").doesNotContain(DB_PASSWORD));

        HttpCalls.Response created = api.post("/api/v1/migrations", "{\"id\":\"compose-clone\",\"name\":\"compose clone\","
                + "\"source_cluster_id\":\"" + sourceCluster.path("id").asString() + "\",\"dest_cluster_id\":\""
                + destCluster.path("id").asString() + "\",\"source_node_id\":\"" + nodeId(sourceCluster) + "\",\"dest_node_id\":\""
                + nodeId(destCluster) + "\",\"mode\":\"clone_only\",\"copy_workers\":2}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        HttpCalls.Response started = api.post("/api/v1/migrations/compose-clone/start", "");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        JsonNode done = awaitCompleted(api, "compose-clone");
        assertThat(done.path("phase").asString()).isEqualTo("done");
        assertThat(done.path("rows_copied").asLong()).isEqualTo(7000);
        assertThat(rows(dest, "SELECT count(*) || ' ' || sum(total) FROM orders"))
                .isEqualTo(rows(source, "SELECT count(*) || ' ' || sum(total) FROM orders"));
        assertThat(rows(dest, "SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY 1"))
                .containsExactly("orders_customer", "orders_pkey");
        assertCompareEqual(api);

        // a new container: the state is on migration-dest and the key comes from compose, so the stored passwords still work
        compose.run("rm", "-s", "-f", "-v", "migration-service");
        compose.run("up", "-d", "migration-service");
        awaitHealthy();
        assertCompareEqual(api);
    }

    private static void assertCompareEqual(HttpCalls api) {
        HttpCalls.Response compared = api.post("/api/v1/migrations/compose-clone/compare", "");
        assertThat(compared.status()).as(compared.body()).isEqualTo(200);
        assertThat(compared.json().path("equal").asBoolean()).as(compared.body()).isTrue();
        assertThat(compared.json().path("tables_compared").asInt()).isEqualTo(2);
    }

    /** A cluster of one primary node, named as the compose network knows it. */
    private static JsonNode register(HttpCalls api, String name, String host) {
        HttpCalls.Response r = api.post("/api/v1/clusters", clusterJson(name, host));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.body()).doesNotContain(DB_PASSWORD);
        return r.json();
    }

    private static String clusterJson(String name, String host) {
        return "{\"name\":\"" + name + "\",\"nodes\":[{\"name\":\"primary\",\"host\":\"" + host + "\",\"port\":5432,\"role\":\"primary\","
                + "\"user\":\"migration\",\"password\":\"" + DB_PASSWORD + "\",\"dbname\":\"app\"}]}";
    }

    private static String nodeId(JsonNode cluster) {
        return cluster.path("nodes").get(0).path("id").asString();
    }

    private static JsonNode awaitCompleted(HttpCalls api, String id) {
        String path = "/api/v1/migrations/" + id;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode m = api.get(path).json();
            assertThat(m.path("status").asString()).as(m.path("error_message").asString()).isNotEqualTo("failed");
            return m.path("status").asString().equals("completed");
        });
        return api.get(path).json();
    }

    /**
     * The API answers, and Docker reports the container healthy by the image's own check. Otherwise the failure
     * carries the causes from the service's log, at once when its container has stopped.
     */
    private static void awaitHealthy() throws Exception {
        HttpCalls open = new HttpCalls(servicePort, null);
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .failFast("the migration-service container stopped", MigrationComposeIT::serviceExited)
                    .until(() -> open.get("/actuator/health").status() == 200
                            && compose.inspect("migration-service", "{{.State.Health.Status}}").equals("healthy"));
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            List<String> log = compose.run("logs", "--no-color", "migration-service").lines().toList();
            throw new AssertionError("migration-service did not become healthy (" + e.getMessage() + "); from its log:\n"
                    + String.join("\n", Stream.concat(log.stream().filter(line -> line.contains("Caused by") || line.contains(" ERROR ")).limit(20),
                    log.stream().skip(Math.max(0, log.size() - 5))).toList()), e);
        }
    }

    private static boolean serviceExited() {
        try {
            return compose.inspect("migration-service", "{{.State.Status}}").equals("exited");
        } catch (Exception e) {
            return false;
        }
    }

    private static void requireDockerAndImages() {
        try {
            Compose.exec(List.of("docker", "image", "inspect", POSTGRES_IMAGE), Map.of());
        } catch (Exception e) {
            String problem = "Docker engine or the offline images are not available (" + e.getMessage().lines().findFirst().orElse("")
                    + "); run scripts/build-offline-images with dockerd running";
            if (System.getenv("CI") != null) {
                throw new AssertionError(problem);
            }
            Assumptions.abort(problem);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The repository's docker-compose.yml as one compose project: docker-compose (v1) when installed, else docker compose. */
    record Compose(String project, Map<String, String> env) {

        static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

        String run(String... args) throws Exception {
            boolean v1 = Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "docker-compose")));
            List<String> command = new ArrayList<>(v1 ? List.of("docker-compose") : List.of("docker", "compose"));
            command.addAll(List.of("-p", project, "-f", ROOT.resolve("docker-compose.yml").toString()));
            command.addAll(List.of(args));
            return exec(command, env);
        }

        /** {@code docker inspect --format} of the service's container, e.g. {@code {{.State.Health.Status}}}. */
        String inspect(String service, String format) throws Exception {
            String id = run("ps", "-a", "-q", service).strip().lines().reduce((first, last) -> last).orElse("");
            return exec(List.of("docker", "inspect", "--format", format, id), Map.of()).strip();
        }

        /** Runs a command to its end (10 minutes at the most, then it is killed) and returns its output, stderr included. */
        static String exec(List<String> command, Map<String, String> environment) throws Exception {
            Path output = Files.createTempFile("pgcorral-compose", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                builder.environment().putAll(environment);
                Process process = builder.start();
                boolean ended = process.waitFor(10, TimeUnit.MINUTES);
                if (!ended) {
                    process.destroyForcibly().waitFor();
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (!ended || process.exitValue() != 0) {
                    throw new IOException(String.join(" ", command) + (ended ? " failed:\n" : " did not end within 10 minutes:\n") + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }
}
