package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * replay-service in its own JVM, killed with SIGKILL three times while pgbench writes to the source, and
 * the source restarted while it captures: in the end the change log holds every committed source
 * transaction exactly once (pgbench_history counted on both sides).
 */
class CaptureCrashTest {

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
    void storesEveryTransactionExactlyOnceAcrossKillsAndSourceRestarts() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        assumeTrue(Files.isExecutable(binaries.program("pgbench")), "pgbench is installed with the postgresql package");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = new LocalPostgres(new LocalPostgres.Options(binaries, dir.resolve("pg"), true, 0, "127.0.0.1", "postgres", "s3cret",
                Map.of(), ServerAccount.resolve(null), Duration.ofSeconds(60)).withLogicalReplication());
        server.start();
        sql(server.connectionDetails("postgres"), "CREATE DATABASE meta", "CREATE DATABASE bench", "CREATE DATABASE copy");
        ConnectionDetails source = server.connectionDetails("bench");
        pgbench(binaries, source, "-i", "-s", "1", "-q");

        int port = freePort();
        startService(port);
        String session = createSession(port);

        Process load = pgbench(binaries, source, "-T", "12", "-c", "3", "-n");
        long kills = 0;
        while (load.isAlive() && kills < 3) {
            long before = entries();
            await().atMost(Duration.ofSeconds(60)).until(() -> entries() > before + 500 || !load.isAlive());
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            kills++;
            startService(port);
        }
        assertThat(load.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(load.exitValue()).isZero();

        server.stop();
        server.start();
        Process more = pgbench(binaries, source, "-t", "200", "-c", "2", "-n");
        assertThat(more.waitFor(120, TimeUnit.SECONDS)).isTrue();

        long history = count(source, "SELECT count(*) FROM pgbench_history");
        try {
            await().atMost(Duration.ofSeconds(180)).until(() -> count(meta(), "SELECT count(*) FROM replay.changes WHERE table_name = "
                    + "'pgbench_history' AND operation = 'INSERT'") >= history);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("capture did not catch up: " + history + " transactions on the source, session "
                    + rows(meta(), "SELECT state || ' ' || coalesce(error, '') || ' entries ' || entries FROM replay.sessions")
                    + ", service log:\n" + tail(dir.resolve("service.log"), 60), e);
        }
        assertThat(kills).isGreaterThanOrEqualTo(1);
        assertThat(count(meta(), "SELECT count(*) FROM replay.changes WHERE table_name = 'pgbench_history' AND operation = 'INSERT'"))
                .isEqualTo(history);
        assertThat(count(meta(), "SELECT count(*) FROM (SELECT lsn FROM replay.changes GROUP BY lsn HAVING count(*) > 1) d")).isZero();
        assertThat(count(meta(), "SELECT count(DISTINCT xid) FROM replay.changes WHERE table_name = 'pgbench_history'")).isEqualTo(history);
        assertThat(count(meta(), "SELECT count(*) FROM replay.changes WHERE operation = 'UPDATE'")).isEqualTo(3 * history);
        assertThat(count(meta(), "SELECT max(seq) - count(*) FROM replay.changes")).isZero();
        assertThat(session).isNotBlank();
    }

    private ConnectionDetails meta() {
        return server.connectionDetails("meta");
    }

    private long entries() {
        return count(meta(), "SELECT coalesce(max(entries), 0) FROM replay.sessions");
    }

    private void startService(int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.pgcorral.replay.ReplayServiceApplication")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("service.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("INPUT_DSN", server.connectionDetails("bench").postgresUrl());
        env.put("OUTPUT_DSN", server.connectionDetails("copy").postgresUrl());
        env.put("SPRING_DATASOURCE_URL", server.connectionDetails("meta").jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "s3cret");
        env.put("PGCORRAL_PASSWORD", "pw");
        env.put("PGCORRAL_REPLAY_TRAVEL_KEEP_CHECKPOINT_COPIES", "false");
        service = pb.start();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    private String createSession(int port) throws IOException, InterruptedException {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions"))
                .header("Authorization", "Bearer pw").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crash\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return created.body();
    }

    private Process pgbench(PostgresBinaries binaries, ConnectionDetails db, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(binaries.program("pgbench").toString(), "-h", db.host(),
                "-p", Integer.toString(db.port()), "-U", db.user()));
        command.addAll(List.of(args));
        command.add(db.database());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pgbench.log").toFile()));
        pb.environment().put("PGPASSWORD", db.password());
        Process p = pb.start();
        if (args[0].equals("-i")) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(dir.resolve("pgbench.log"))).isZero();
        }
        return p;
    }

    private static void sql(ConnectionDetails db, String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static List<String> rows(ConnectionDetails db, String query) {
        List<String> rows = new java.util.ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return rows;
    }

    private static long count(ConnectionDetails db, String query) {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
