package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * migration-service in its own JVM, killed with SIGKILL while its clone copies rows; started again, it
 * says the run was cut off, and the migration started again starts over and ends with a destination that
 * compares equal (no row lost, none doubled).
 */
class CloneCrashTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private LocalPostgres server;
    private Process service;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null) {
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCloneKilledWhileCopyingStartsOverAndComparesEqual() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        assumeTrue(Files.isExecutable(binaries.program("pgbench")), "pgbench is installed with the postgresql package");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = new LocalPostgres(new LocalPostgres.Options(binaries, dir.resolve("pg"), true, 0, "127.0.0.1", "postgres", "s3cret",
                LocalPostgres.THROWAWAY_SETTINGS, ServerAccount.resolve(null), Duration.ofSeconds(60)));
        server.start();
        sql(server.connectionDetails("postgres"), "CREATE DATABASE meta", "CREATE DATABASE src", "CREATE DATABASE dst");
        ConnectionDetails source = server.connectionDetails("src");
        ProcessBuilder pgbench = new ProcessBuilder(binaries.program("pgbench").toString(), "-i", "-s", "8", "-q", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port()), "-U", "postgres", "src").redirectErrorStream(true).redirectOutput(dir.resolve("pgbench.log").toFile());
        pgbench.environment().put("PGPASSWORD", "s3cret");
        Process init = pgbench.start();
        assertThat(init.waitFor(300, TimeUnit.SECONDS)).isTrue();

        int port = freePort();
        startService(port);
        String src = cluster(port, "source", source);
        String dst = cluster(port, "destination", server.connectionDetails("dst"));
        String body = "{\"id\":\"crash\",\"name\":\"crash\",\"source_cluster_id\":\"" + src + "\",\"dest_cluster_id\":\"" + dst
                + "\",\"source_node_id\":\"" + node(port, src) + "\",\"dest_node_id\":\"" + node(port, dst)
                + "\",\"mode\":\"clone_only\",\"copy_workers\":2}";
        assertThat(call(port, "POST", "/api/v1/migrations", body).path("status").asString()).isEqualTo("created");
        call(port, "POST", "/api/v1/migrations/crash/start", null);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode m = call(port, "GET", "/api/v1/migrations/crash", null);
            return "copy".equals(m.path("phase").asString()) && m.path("live_total_bytes").asLong() > 0;
        });
        service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        startService(port);
        JsonNode cut = call(port, "GET", "/api/v1/migrations/crash", null);
        assertThat(cut.path("status").asString()).isEqualTo("failed");
        assertThat(cut.path("phase").asString()).isEqualTo("stale");
        assertThat(cut.path("error_message").asString()).contains("start the migration again");

        call(port, "POST", "/api/v1/migrations/crash/start", null);
        await().atMost(Duration.ofSeconds(300)).until(() -> {
            JsonNode m = call(port, "GET", "/api/v1/migrations/crash", null);
            assertThat(m.path("status").asString()).as(m.path("error_message").asString()).isNotEqualTo("failed");
            return "completed".equals(m.path("status").asString());
        });
        JsonNode compare = call(port, "POST", "/api/v1/migrations/crash/compare", null);
        assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
        assertThat(compare.path("tables_compared").asInt()).isEqualTo(4);
        assertThat(count(server.connectionDetails("dst"), "SELECT count(*) FROM pgbench_accounts")).isEqualTo(800_000);
    }

    private void startService(int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.pgcorral.migration.MigrationServiceApplication")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("service.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SPRING_DATASOURCE_URL", server.connectionDetails("meta").jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "s3cret");
        env.put("PGCORRAL_PASSWORD", "pw");
        env.put("PGCORRAL_MIGRATION_KEY_FILE", dir.resolve("secret.key").toString());
        env.put("PGCORRAL_MIGRATION_COPY_SPLIT_ABOVE", "8MB");
        service = pb.start();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private String cluster(int port, String name, ConnectionDetails db) throws Exception {
        return call(port, "POST", "/api/v1/clusters", "{\"name\":\"" + name + "\",\"nodes\":[{\"host\":\"" + db.host() + "\",\"port\":"
                + db.port() + ",\"user\":\"" + db.user() + "\",\"password\":\"" + db.password() + "\",\"dbname\":\"" + db.database() + "\"}]}")
                .path("id").asString();
    }

    private String node(int port, String cluster) throws Exception {
        return call(port, "GET", "/api/v1/clusters/" + cluster, null).path("nodes").get(0).path("id").asString();
    }

    private JsonNode call(int port, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer pw")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sql(ConnectionDetails db, String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long count(ConnectionDetails db, String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
