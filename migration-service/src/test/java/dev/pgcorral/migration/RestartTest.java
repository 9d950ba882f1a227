package dev.pgcorral.migration;

import static dev.pgcorral.migration.TestServer.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service killed with SIGKILL and started again, where the restart finds something changed:
 * <ul>
 * <li>a switchover had the source's writes stopped (and the destination held read-only) and waited for the destination:
 * after the restart both take writes again, the migration follows on, and its events say what happened; a source down
 * at the restart is retried, and gets its writes back once it is up, also when the service is killed again meanwhile;</li>
 * <li>the follow's slot was dropped on the source while the service was down: the restart cannot follow on without
 * losing changes, and says so, instead of cloning again over the destination by itself.</li>
 * </ul>
 */
class RestartTest extends ServiceProcessTest {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path sourceDir;

    private TestServer sourceServer;

    @AfterEach
    void stopSource() {
        if (sourceServer != null) {
            sourceServer.close();
        }
    }

    @Test
    void aSwitchoverCutOffByAKillGivesTheSourceItsWritesBackAndSaysSo() throws Exception {
        MigrationCalls api = followingOnOneServer("cut");
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        killDuringSwitchover(api, "cut", source, dest);

        service.start();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/cut").path("live_events")).anySatisfy(e ->
                assertThat(e.path("message").asString()).contains("restarted during a switchover")
                        .contains("writes were given back to the source")));
        assertThat(readOnly(source)).isFalse();
        assertThat(readOnly(dest)).isFalse();
        assertThat(api.get("/api/v1/migrations/cut/logs")).extracting(l -> l.path("message").asString())
                .as("the log of the run the kill ended, kept").anySatisfy(m -> assertThat(m).startsWith("writes stopped on the source"))
                .as("and what the restart did about it").anySatisfy(m -> assertThat(m).contains("restarted during a switchover")
                        .contains("writes were given back to the source"));
        sql(source, "INSERT INTO items VALUES (3)");
        api.awaitStatus("cut", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> TestServer.count(dest, "SELECT count(*) FROM items") == 3);
    }

    @Test
    void aSwitchoverCutOffWhileItWaitedForTheFollowToCatchUpSaysItHadNotStoppedAnyWrites() throws Exception {
        MigrationCalls api = followingOnOneServer("early");
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        // read-only before (as a fallback's destination, the old source, is): it must stay so whatever a restart finds
        sql(dest, "ALTER DATABASE dst SET default_transaction_read_only = on");
        try (Connection lock = dest.connect(); Statement st = lock.createStatement()) {
            st.execute("SET default_transaction_read_only = off");
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE"); // the follow waits: over 1 MB behind, the switchover waits too
            sql(source, "INSERT INTO items SELECT g FROM generate_series(2, 40000) g");
            assertThat(api.call("POST", "/api/v1/migrations/early/switchover", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/early/logs").valueStream()
                    .anyMatch(l -> l.path("message").asString().startsWith("switchover: once the follow is within")));
            service.kill();
            lock.rollback();
        }
        assertThat(readOnly(source)).isFalse();

        service.start();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/early").path("live_events")).anySatisfy(e ->
                assertThat(e.path("message").asString()).contains("restarted during a switchover")
                        .contains("the switchover had not stopped the writes of the source")
                        .contains("the destination stays read-only, as it was before the switchover")));
        assertThat(readOnly(dest)).isTrue();
        assertThat(api.get("/api/v1/migrations/early/logs")).extracting(l -> l.path("message").asString())
                .allSatisfy(m -> assertThat(m).doesNotContain("given back"));
        api.awaitStatus("early", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> TestServer.count(dest, "SELECT count(*) FROM items") == 40000);
        sql(dest, "SET default_transaction_read_only = off", "ALTER DATABASE dst RESET default_transaction_read_only");
    }

    @Test
    void aSwitchoverCutOffWhileTheSourceIsDownGetsItsWritesBackOnceTheSourceIsBack() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "dst");
        sourceServer = new TestServer(sourceDir);
        sourceServer.create("src");
        ConnectionDetails source = sourceServer.database("src");
        ConnectionDetails dest = server.database("dst");
        MigrationCalls api = following("away", source, dest);
        killDuringSwitchover(api, "away", source, dest);

        sourceServer.stop();
        service.start();
        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode m = api.get("/api/v1/migrations/away");
            assertThat(m.path("live_trouble").asString()).startsWith("cannot reach the source");
            assertThat(m.path("live_lag_formatted").asString()).isEqualTo("unknown (latency: unknown)");
            // the clone the destination holds is shown meanwhile, not an empty one
            assertThat(m.path("tables_total").asInt()).isEqualTo(1);
            assertThat(m.path("live_phases")).extracting(p -> p.path("phase").asString()).contains("copy").last().isEqualTo("connecting");
            assertThat(m.path("live_events")).anySatisfy(e -> assertThat(e.path("message").asString())
                    .contains("writes go back to the source once the run reaches it")
                    .contains("the destination, which the switchover held read-only, takes writes again"));
        });
        assertThat(readOnly(dest)).isFalse();

        // killed again before the source is back: the next run still owes it its writes
        service.kill();
        service.start();
        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode m = api.get("/api/v1/migrations/away");
            assertThat(m.path("live_trouble").asString()).startsWith("cannot reach the source");
            assertThat(m.path("live_events")).anySatisfy(e -> assertThat(e.path("message").asString())
                    .contains("writes go back to the source, which a switchover cut off by an earlier restart left read-only"));
        });

        sourceServer.start();
        await().atMost(LIMIT).until(() -> !readOnly(source));
        sql(source, "INSERT INTO items VALUES (3)");
        api.awaitStatus("away", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> TestServer.count(dest, "SELECT count(*) FROM items") == 3);
        assertThat(api.get("/api/v1/migrations/away").has("live_trouble")).isFalse();
    }

    @Test
    void aSlotDroppedWhileTheServiceWasDownFailsTheMigrationAndTheDestinationIsLeftAlone() throws Exception {
        MigrationCalls api = followingOnOneServer("gone");
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        sql(dest, "CREATE TABLE mine (note text)"); // written on the destination meanwhile: a clone again would drop it

        service.kill();
        await().atMost(LIMIT).ignoreExceptions().until(() -> {
            sql(source, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pgmanager_gone' "
                    + "AND active_pid IS NOT NULL", "SELECT pg_drop_replication_slot('pgmanager_gone')");
            return true;
        });
        service.start();

        JsonNode failed = api.awaitStatus("gone", "failed", LIMIT);
        assertThat(failed.path("error_message").asString()).contains("the replication slot pgmanager_gone is gone from the source")
                .contains("Start the migration again to clone");
        assertThat(TestServer.count(dest, "SELECT count(*) FROM items")).isEqualTo(1);
        assertThat(TestServer.count(dest, "SELECT count(*) FROM pg_tables WHERE tablename = 'mine'")).isEqualTo(1);
    }

    /**
     * After a restart, until the run applies its first transaction, the lag in seconds counts from the commit time the last
     * run recorded: while the source still decodes a large transaction made while the service was down (nothing received
     * yet), the status shows how many seconds behind the follow is at most, with the bytes.
     */
    @Test
    void afterARestartTheLagInSecondsIsShownBeforeTheFirstTransactionIsApplied() throws Exception {
        MigrationCalls api = followingOnOneServer("behind");
        ConnectionDetails source = server.database("src");
        sql(source, "INSERT INTO items VALUES (2)");
        // the first transaction the follow applies: its position and commit time are recorded within 2 s
        await("the position and its commit time recorded").atMost(LIMIT).until(() -> TestServer.count(server.database("meta"),
                "SELECT count(*) FROM migration.migrations WHERE id = 'behind' AND confirmed_commit_time IS NOT NULL") == 1);
        service.kill();
        sql(source, "INSERT INTO items SELECT g FROM generate_series(3, 600000) g"); // tens of MB of WAL in one transaction
        service.start();

        List<JsonNode> behind = new ArrayList<>();
        await("caught up").atMost(LIMIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode m = api.get("/api/v1/migrations/behind");
            if (m.path("live_lag_bytes").asLong() > (1 << 20)) {
                behind.add(m);
            }
            return TestServer.count(server.database("dst"), "SELECT count(*) FROM items") == 600000;
        });
        assertThat(behind).as("status reads while over 1 MB behind (else this test proves nothing)").isNotEmpty();
        assertThat(behind).allSatisfy(m -> assertThat(m.path("live_lag_seconds").asDouble()).as(m.toString()).isPositive());
    }

    /** {@link #server} holding the service's state, the source {@code src} and the destination {@code dst}; {@link #following} them. */
    private MigrationCalls followingOnOneServer(String id) throws Exception {
        server = new TestServer(dir);
        server.create("meta", "src", "dst");
        return following(id, server.database("src"), server.database("dst"));
    }

    /** The service started on {@link #server}, migration {@code id} following a table {@code items} (one row) into {@code dest}. */
    private MigrationCalls following(String id, ConnectionDetails source, ConnectionDetails dest) throws Exception {
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        service = new ServiceProcess(dir, server.database("meta"), Map.of());
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart(id, source, dest, "clone_and_follow");
        api.awaitStatus(id, "streaming", LIMIT);
        return api;
    }

    /**
     * A lock on the destination holds the follow: the switchover stops the source's writes, then waits for it; the service
     * is killed then (row 2 written on the source before, not applied yet).
     */
    private void killDuringSwitchover(MigrationCalls api, String id, ConnectionDetails source, ConnectionDetails dest) throws Exception {
        try (Connection lock = dest.connect(); Statement st = lock.createStatement()) {
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
            sql(source, "INSERT INTO items VALUES (2)");
            assertThat(api.call("POST", "/api/v1/migrations/" + id + "/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            // a look that is still logging in when the switchover ends the source's sessions shows no application_name yet, and
            // is ended with them: the next look is made
            await().atMost(LIMIT).ignoreExceptions().until(() -> readOnly(source));
            assertThat(readOnly(dest)).as("the destination is held read-only until the switchover ends").isTrue();
            // the sentinel is written (and kept in the log); its apply waits on the lock, so the switchover cannot complete
            await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/" + id + "/logs").valueStream()
                    .anyMatch(l -> l.path("message").asString().startsWith("writes stopped on the source")));
            service.kill();
            lock.rollback();
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
