package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * Faults while following: a destination that goes away is retried with back-off, the status says so, and
 * the follow goes on when it is back, losing nothing; a slot dropped under the follow ends it with an error
 * that says so; a type changed on the source while its connection was lost still stops the follow; unknown ids are 404
 * on every route, never a 500.
 */
class FollowFaultTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @TempDir
    Path sourceDir;

    private TestServer destinationServer;
    private TestServer sourceServer;

    @AfterEach
    void stopServer() {
        if (destinationServer != null) {
            destinationServer.close();
        }
        if (sourceServer != null) {
            sourceServer.close();
        }
    }

    @Test
    void saysSoWhileTheSourceIsDownAndGoesOnOnceItIsBack() throws Exception {
        ConnectionDetails dest = database("down_src_dst");
        MigrationCalls api = followingASourceOfItsOwn("source-down", dest, 10);
        ConnectionDetails source = sourceServer.database("src");

        sourceServer.stop();
        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode m = api.get("/api/v1/migrations/source-down");
            assertThat(m.path("status").asString()).isEqualTo("streaming");
            assertThat(m.path("live_trouble").asString()).contains("cannot reach the source");
            assertThat(m.path("live_lag_formatted").asString()).isEqualTo("unknown (latency: unknown)");
            assertThat(m.has("live_lag_bytes")).isFalse();
        });
        // a delete that cannot drop the slot is refused before it stops anything: the follow goes on once the source is back
        MigrationCalls.Reply refused = api.call("DELETE", "/api/v1/migrations/source-down?force=true", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().path("detail").asString()).contains("cannot drop the slot").contains("the migration goes on");
        MigrationCalls.Reply notStopped = api.call("POST", "/api/v1/migrations/source-down/stop", null);
        assertThat(notStopped.status()).isEqualTo(409);
        assertThat(notStopped.body().path("detail").asString()).contains("stop with ?keep_slot=true").contains("the migration goes on");
        MigrationCalls.Reply compare = api.call("POST", "/api/v1/migrations/source-down/compare", null);
        assertThat(compare.status()).as("a fault past the service").isEqualTo(502);
        assertThat(compare.body().path("detail").asString()).startsWith("cannot compare");
        // a switchover says which side it cannot reach, before it touches anything, and the follow goes on
        assertThat(api.call("POST", "/api/v1/migrations/source-down/switchover", null).status()).isEqualTo(200);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/source-down/logs"))
                .extracting(l -> l.path("message").asString()).anySatisfy(m -> assertThat(m)
                        .startsWith("switchover failed: cannot reach the source postgresql://").contains("the source's writes were not touched")));
        await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/source-down").path("status").asString().equals("streaming"));
        sourceServer.start();
        sql(source, "INSERT INTO t SELECT generate_series(11, 20)");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("20")));
        await().atMost(LIMIT).until(() -> !api.get("/api/v1/migrations/source-down").has("live_trouble"));
    }

    @Test
    void aSwitchoverEndedWhileTheSourceIsDownGivesItsWritesBackOnceItIsBack() throws Exception {
        ConnectionDetails dest = database("owed_dst");
        MigrationCalls api = followingASourceOfItsOwn("owed", dest, 1);
        ConnectionDetails source = sourceServer.database("src");

        try (Connection lock = dest.connect(); Statement st = lock.createStatement()) { // holds the follow: the switchover waits
            lock.setAutoCommit(false);
            st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            sql(source, "INSERT INTO t VALUES (2)");
            assertThat(api.call("POST", "/api/v1/migrations/owed/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> rows(source, "SHOW default_transaction_read_only").equals(List.of("on")));
            sourceServer.stop();
            // the stop ends the switchover, which cannot give the source its writes back yet: it says so and tries again
            assertThat(api.call("POST", "/api/v1/migrations/owed/stop?keep_slot=true", null).status()).isEqualTo(200);
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/owed/logs"))
                    .extracting(l -> l.path("message").asString()).anySatisfy(m -> assertThat(m)
                            .startsWith("cannot give writes back to the source yet").contains("retrying in")));
            lock.rollback();
        }
        sourceServer.start();
        await().atMost(LIMIT).until(() -> rows(source, "SHOW default_transaction_read_only").equals(List.of("off")));
        assertThat(api.call("DELETE", "/api/v1/migrations/owed", null).status()).isEqualTo(204);
    }

    @Test
    void retriesAnUnreachableDestinationAndSaysSoThenFailsClearlyWhenItsSlotIsDropped() throws Exception {
        ConnectionDetails source = database("fault_src");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 100) g");
        destinationServer = new TestServer(dir);
        destinationServer.create("dst");
        ConnectionDetails dest = destinationServer.database("dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("fault", source, dest, "clone_and_follow");
        api.awaitStatus("fault", "streaming", LIMIT);

        destinationServer.stop();
        sql(source, "INSERT INTO t SELECT g, 'while down' FROM generate_series(101, 200) g");
        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode m = api.get("/api/v1/migrations/fault");
            assertThat(m.path("status").asString()).isEqualTo("streaming");
            assertThat(m.path("live_trouble").asString()).contains("cannot reach the destination").contains("retrying in");
            assertThat(m.path("live_lag_seconds").asDouble()).as("the waiting change's age, far under 1 MB behind").isPositive();
        });
        destinationServer.start();
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("200")));
        await().atMost(LIMIT).until(() -> !api.get("/api/v1/migrations/fault").has("live_trouble"));
        assertThat(api.get("/api/v1/migrations/fault").path("live_error_history")).anySatisfy(e ->
                assertThat(e.path("retryable").asBoolean()).isTrue());

        // the slot dropped on the source (its WAL sender ended first, as often as the stream takes it back)
        await().atMost(LIMIT).ignoreExceptions().until(() -> {
            sql(source, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fault' "
                    + "AND active_pid IS NOT NULL", "SELECT pg_drop_replication_slot('pgmanager_fault')");
            return true;
        });
        JsonNode failed = api.awaitStatus("fault", "failed", LIMIT);
        assertThat(failed.path("error_message").asString()).contains("slot").contains("does not exist");
    }

    @Test
    void aTypeChangedRightAfterTheSourceConnectionWasLostStillStopsTheFollow() throws Exception {
        // not a superuser: no DDL is captured, so the change shows only as the stream's new definition of the table
        ConnectionDetails source = ownedByPlainRole("retype_src", "retyper");
        ConnectionDetails admin = database("retype_src");
        sql(source, "CREATE TABLE amounts (id int PRIMARY KEY, amount numeric(10,2))", "INSERT INTO amounts VALUES (1, 1.25)",
                "CREATE TABLE quiet (id int PRIMARY KEY, n int)", "INSERT INTO quiet VALUES (1, 1)");
        ConnectionDetails dest = database("retype_dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("retype", source, dest, "clone_and_follow");
        api.awaitStatus("retype", "streaming", LIMIT);

        // a table with no change yet in this run: its first definition, after the connection came back, has a new type
        loseTheSourceConnection(admin, api, 1);
        sql(source, "ALTER TABLE quiet ALTER COLUMN n TYPE numeric(12,3)", "INSERT INTO quiet VALUES (2, 2.125)");
        assertThat(api.awaitStatus("retype", "failed", LIMIT).path("error_message").asString())
                .contains("column \"n\" of table \"public\".\"quiet\" changed its type").contains("TYPE numeric(12,3)");
        sql(dest, "ALTER TABLE quiet ALTER COLUMN n TYPE numeric(12,3)");
        assertThat(api.call("POST", "/api/v1/migrations/retype/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT n FROM quiet WHERE id = 2").equals(List.of("2.125")));

        // a table the stream defined before the connection was lost, with its type then
        sql(source, "INSERT INTO amounts VALUES (2, 2.5)");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM amounts").equals(List.of("2")));
        loseTheSourceConnection(admin, api, 2);
        sql(source, "ALTER TABLE amounts ALTER COLUMN amount TYPE numeric(10,4)", "INSERT INTO amounts VALUES (3, 3.1234)");
        assertThat(api.awaitStatus("retype", "failed", LIMIT).path("error_message").asString())
                .contains("column \"amount\" of table \"public\".\"amounts\" changed its type").contains("TYPE numeric(10,4)");
        assertThat(rows(dest, "SELECT id FROM amounts ORDER BY id")).as("not rounded into the old type").containsExactly("1", "2");
    }

    @Test
    void aTypeChangedWhileTheMigrationWasStoppedStopsItsNextRun() throws Exception {
        // not a superuser: no DDL is captured, and the source's catalog already has the new type when the next run starts
        ConnectionDetails source = ownedByPlainRole("paused_src", "pauser");
        sql(source, "CREATE TABLE quiet (id int PRIMARY KEY, n numeric(10,2))", "INSERT INTO quiet VALUES (1, 1.25)",
                "CREATE TABLE flips (id int PRIMARY KEY, amount numeric(10,4))", "INSERT INTO flips VALUES (1, 1.5)");
        ConnectionDetails dest = database("paused_dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("paused", source, dest, "clone_and_follow");
        api.awaitStatus("paused", "streaming", LIMIT);

        // a table with no change in the run: compared with what the clone's snapshot had
        stopKeepingTheSlot(api);
        sql(source, "ALTER TABLE quiet ALTER COLUMN n TYPE numeric(10,4)", "INSERT INTO quiet VALUES (2, 2.1234)");
        for (int start = 1; start <= 2; start++) { // started again with the destination unchanged, it stops again
            assertThat(api.call("POST", "/api/v1/migrations/paused/start", null).status()).isEqualTo(200);
            assertThat(api.awaitStatus("paused", "failed", LIMIT).path("error_message").asString()).as("start %d", start)
                    .contains("column \"n\" of table \"public\".\"quiet\" changed its type").contains("TYPE numeric(10,4)");
            assertThat(rows(dest, "SELECT id FROM quiet ORDER BY id")).as("not rounded into the old type").containsExactly("1");
        }
        sql(dest, "ALTER TABLE quiet ALTER COLUMN n TYPE numeric(10,4)");
        assertThat(api.call("POST", "/api/v1/migrations/paused/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT n FROM quiet WHERE id = 2").equals(List.of("2.1234")));

        // a type the follow took (narrowed on both sides) is what a later run compares with: widened again on the source alone
        sql(dest, "ALTER TABLE flips ALTER COLUMN amount TYPE numeric(10,2)");
        sql(source, "ALTER TABLE flips ALTER COLUMN amount TYPE numeric(10,2)", "INSERT INTO flips VALUES (2, 2.25)");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT amount FROM flips WHERE id = 2").equals(List.of("2.25")));
        stopKeepingTheSlot(api);
        sql(source, "ALTER TABLE flips ALTER COLUMN amount TYPE numeric(10,4)", "INSERT INTO flips VALUES (3, 3.1234)");
        assertThat(api.call("POST", "/api/v1/migrations/paused/start", null).status()).isEqualTo(200);
        assertThat(api.awaitStatus("paused", "failed", LIMIT).path("error_message").asString())
                .contains("column \"amount\" of table \"public\".\"flips\" changed its type").contains("TYPE numeric(10,4)");
        assertThat(rows(dest, "SELECT id FROM flips ORDER BY id")).as("not rounded into the old type").containsExactly("1", "2");
    }

    private static void stopKeepingTheSlot(MigrationCalls api) throws Exception {
        assertThat(api.call("POST", "/api/v1/migrations/paused/stop?keep_slot=true", null).status()).isEqualTo(200);
        api.awaitStatus("paused", "stopped", LIMIT);
    }

    /** Ends the follow's WAL sender on the source and waits until the stream has resumed ({@code times} so far). */
    private static void loseTheSourceConnection(ConnectionDetails admin, MigrationCalls api, int times) {
        await().atMost(LIMIT).until(() -> rows(admin, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_retype' "
                + "AND active_pid IS NOT NULL").equals(List.of("1")));
        sql(admin, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pgmanager_retype'");
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/retype/logs"))
                .extracting(l -> l.path("message").asString()).filteredOn(m -> m.contains("the stream resumed")).hasSize(times));
    }

    @Test
    void anEarlierApplySessionLeftWaitingOnALockIsEndedSoTheFollowGoesOn() throws Exception {
        ConnectionDetails source = database("held_src");
        ConnectionDetails dest = database("held_dst");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'cloned')");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("held", source, dest, "clone_and_follow");
        api.awaitStatus("held", "streaming", LIMIT);

        try (Connection locker = dest.connect()) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"); // the apply's next change waits for it
            }
            sql(source, "INSERT INTO t VALUES (2, 'while locked')");
            await().atMost(LIMIT).until(() -> !rows(dest, "SELECT pid FROM pg_stat_activity WHERE datname = 'held_dst' "
                    + "AND wait_event_type = 'Lock' AND application_name LIKE 'pgcorral %'").isEmpty());
            // the run ends, its connection cut: its session on the destination waits on, holding the origin
            assertThat(api.call("POST", "/api/v1/migrations/held/stop?keep_slot=true", null).status()).isEqualTo(200);
            api.awaitStatus("held", "stopped", LIMIT);
            assertThat(api.call("POST", "/api/v1/migrations/held/start", null).status()).isEqualTo(200);
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/held").path("live_trouble").asString())
                    .contains("waiting for the destination's replication origin").contains("held by an earlier session"));
            // the earlier session is ended; the new one waits for the lock in its turn
            await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'held_dst' "
                    + "AND wait_event_type = 'Lock' AND application_name LIKE 'pgcorral %'").equals(List.of("1"))
                    && api.get("/api/v1/migrations/held").path("live_trouble").isMissingNode());
            locker.rollback();
        }
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT v FROM t ORDER BY id").equals(List.of("cloned", "while locked")));
        JsonNode m = api.awaitStatus("held", "streaming", LIMIT);
        assertThat(m.path("error_message").asString()).isEmpty();
    }

    @Test
    void anApplyWaitingForALockOnTheDestinationSaysWhoHoldsIt() throws Exception {
        ConnectionDetails source = database("blocked_src");
        ConnectionDetails dest = database("blocked_dst");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("blocked", source, dest, "clone_and_follow");
        api.awaitStatus("blocked", "streaming", LIMIT);

        try (Connection locker = dest.connect(); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            String pid = rows(dest, "SELECT pid FROM pg_stat_activity WHERE datname = 'blocked_dst' AND state = 'idle in transaction'").get(0);
            sql(source, "INSERT INTO t VALUES (2)");
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/blocked").path("live_trouble").asString())
                    .contains("waits for a lock").contains("held by the destination's session(s) " + pid));
            assertThat(api.get("/api/v1/migrations/blocked").path("status").asString()).isEqualTo("streaming");
            locker.rollback();
        }
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("2")));
        await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/blocked").path("live_trouble").isMissingNode());
    }

    @Test
    void unknownIdsAre404OnEveryRoute() throws Exception {
        MigrationCalls api = new MigrationCalls(port, null);
        for (String[] call : new String[][] {{"GET", ""}, {"DELETE", ""}, {"POST", "/start"}, {"POST", "/stop"}, {"POST", "/switchover"},
                {"POST", "/compare"}, {"GET", "/logs"}}) {
            MigrationCalls.Reply reply = api.call(call[0], "/api/v1/migrations/no-such" + call[1], null);
            assertThat(reply.status()).as(call[0] + " " + call[1]).isEqualTo(404);
            assertThat(reply.contentType()).startsWith("application/problem+json");
        }
    }

    /**
     * Migration {@code id} streaming from database {@code src} on {@link #sourceServer}, a server of its own (so a test can
     * stop it), with a table {@code t} of {@code rows} rows, into {@code dest}.
     */
    private MigrationCalls followingASourceOfItsOwn(String id, ConnectionDetails dest, int rows) throws Exception {
        sourceServer = new TestServer(sourceDir);
        sourceServer.create("src");
        ConnectionDetails source = sourceServer.database("src");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, " + rows + ")");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart(id, source, dest, "clone_and_follow");
        api.awaitStatus(id, "streaming", LIMIT);
        return api;
    }
}
