package dev.pgcorral.migration;

import static dev.pgcorral.migration.TestServer.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service killed with SIGKILL while a switchover has the source's writes stopped (and the destination held
 * read-only) and waits for the destination: after the restart both take writes again, the migration follows on, and its
 * events say what happened. A source down at the restart is retried, and gets its writes back once it is up.
 */
class SwitchoverCrashTest extends ServiceProcessTest {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path sourceDir;

    private TestServer sourceServer;


    @Test
    void aSwitchoverCutOffByAKillGivesTheSourceItsWritesBackAndSaysSo() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "src", "dst");
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        service = new ServiceProcess(dir, server.database("meta"), Map.of());
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart("cut", source, dest, "clone_and_follow");
        api.awaitStatus("cut", "streaming", LIMIT);

        // a lock on the destination holds the follow: the switchover stops the source's writes, then waits for it
        try (Connection lock = dest.connect(); Statement st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
            sql(source, "INSERT INTO items VALUES (2)");
            assertThat(api.call("POST", "/api/v1/migrations/cut/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> readOnly(source));
            assertThat(readOnly(dest)).as("the destination is held read-only until the switchover ends").isTrue();
            service.kill();
            lock.rollback();
        }

        service.start();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/cut").path("live_events")).anySatisfy(e ->
                assertThat(e.path("message").asString()).contains("restarted during a switchover")
                        .contains("writes were given back to the source")));
        assertThat(readOnly(source)).isFalse();
        assertThat(readOnly(dest)).isFalse();
        sql(source, "INSERT INTO items VALUES (3)");
        api.awaitStatus("cut", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> TestServer.count(dest, "SELECT count(*) FROM items") == 3);
    }

    @Test
    void aSwitchoverCutOffWhileTheSourceIsDownGetsItsWritesBackOnceTheSourceIsBack() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "dst");
        sourceServer = new TestServer(sourceDir);
        sourceServer.create("src");
        ConnectionDetails source = sourceServer.database("src");
        ConnectionDetails dest = server.database("dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        service = new ServiceProcess(dir, server.database("meta"), Map.of());
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart("away", source, dest, "clone_and_follow");
        api.awaitStatus("away", "streaming", LIMIT);
        try (Connection lock = dest.connect(); Statement st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
            sql(source, "INSERT INTO items VALUES (2)");
            assertThat(api.call("POST", "/api/v1/migrations/away/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> readOnly(source));
            service.kill();
            lock.rollback();
        }

        sourceServer.stop();
        service.start();
        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode m = api.get("/api/v1/migrations/away");
            assertThat(m.path("live_trouble").asString()).startsWith("cannot reach the source");
            assertThat(m.path("live_events")).anySatisfy(e -> assertThat(e.path("message").asString())
                    .contains("writes go back to the source once the run reaches it").contains("writes were given back to the destination"));
        });
        assertThat(readOnly(dest)).isFalse();

        sourceServer.start();
        await().atMost(LIMIT).until(() -> !readOnly(source));
        sql(source, "INSERT INTO items VALUES (3)");
        api.awaitStatus("away", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> TestServer.count(dest, "SELECT count(*) FROM items") == 3);
        assertThat(api.get("/api/v1/migrations/away").has("live_trouble")).isFalse();
    }

    @AfterEach
    void stopSource() {
        if (sourceServer != null) {
            sourceServer.close();
        }
    }

    /** Whether a new session on the database starts read-only (the switchover's ALTER DATABASE). */
    private static boolean readOnly(ConnectionDetails db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW default_transaction_read_only")) {
            rs.next();
            return "on".equals(rs.getString(1));
        }
    }
}
