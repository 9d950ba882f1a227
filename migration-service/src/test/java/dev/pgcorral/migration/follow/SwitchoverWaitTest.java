package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * {@code end-sessions=false}: the switchover ends no session; it waits for those that began before the
 * writes stopped, gives the writes back when they outlast the timeout, and completes once they are gone.
 * Such a wait also shows what ends a switchover under way: a stop gives the writes back at once, and a
 * source that was read-only before stays so.
 */
@TestPropertySource(properties = "pgcorral.migration.switchover.end-sessions=false")
class SwitchoverWaitTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void waitsForTheSourcesSessionsInsteadOfEndingThem() throws Exception {
        ConnectionDetails source = database("wait_src");
        ConnectionDetails dest = database("wait_dst");
        MigrationCalls api = following("wait", source, dest);

        try (Connection application = application(source)) {
            assertThat(api.call("POST", "/api/v1/migrations/wait/switchover?timeout_sec=1", null).status()).isEqualTo(200);
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/wait").path("live_events"))
                    .anySatisfy(e -> assertThat(e.path("message").asString()).contains("switchover failed").contains("still connected")));
            assertThat(application.isValid(5)).as("the application's session was not ended").isTrue();
            assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("off");
        }
        assertThat(api.call("POST", "/api/v1/migrations/wait/switchover", null).status()).isEqualTo(200);
        JsonNode done = api.awaitStatus("wait", "completed", LIMIT);
        assertThat(done.path("phase").asString()).isEqualTo("switchover_complete");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE wait_src RESET default_transaction_read_only");
    }

    @Test
    void aSwitchoverThatFailsLeavesASourceThatWasReadOnlyBeforeReadOnly() throws Exception {
        ConnectionDetails source = database("ro_src");
        ConnectionDetails dest = database("ro_dst");
        MigrationCalls api = following("ro", source, dest);
        // as another migration's switchover leaves it: its writes went elsewhere
        sql(source, "ALTER DATABASE ro_src SET default_transaction_read_only = on");

        try (Connection application = application(source)) { // began before: the switchover waits for it, then fails
            assertThat(api.call("POST", "/api/v1/migrations/ro/switchover?timeout_sec=1", null).status()).isEqualTo(200);
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/ro").path("live_events"))
                    .anySatisfy(e -> assertThat(e.path("message").asString()).contains("switchover failed")));
        }
        assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("on");
        assertThat(rows(dest, "SHOW default_transaction_read_only")).as("the destination is given its writes back").containsExactly("off");
        assertThat(api.get("/api/v1/migrations/ro/logs")).extracting(l -> l.path("message").asString())
                .contains("the source stays read-only, as it was before the switchover");
        assertThat(api.get("/api/v1/migrations/ro").path("status").asString()).isEqualTo("streaming");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE ro_src RESET default_transaction_read_only");
    }

    @Test
    void aStopDuringASwitchoverGivesTheWritesBackAtOnce() throws Exception {
        ConnectionDetails source = database("abandon_src");
        ConnectionDetails dest = database("abandon_dst");
        MigrationCalls api = following("abandon", source, dest);

        try (Connection application = application(source)) { // the switchover waits for it, up to its timeout of 10 minutes
            assertThat(api.call("POST", "/api/v1/migrations/abandon/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> rows(source, "SHOW default_transaction_read_only").equals(java.util.List.of("on")));
            // keep_slot in the body, as timeout_sec may be: the slot stays
            assertThat(api.call("POST", "/api/v1/migrations/abandon/stop", "{\"keep_slot\": true}").status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> rows(source, "SHOW default_transaction_read_only").equals(java.util.List.of("off")));
            assertThat(application.isValid(5)).isTrue();
        }
        api.awaitStatus("abandon", "stopped", LIMIT);
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_abandon'")).containsExactly("1");
        assertThat(rows(dest, "SHOW default_transaction_read_only")).containsExactly("off");
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/abandon/logs"))
                .extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).startsWith("the migration was stopped during its switchover")));
        assertThat(api.call("DELETE", "/api/v1/migrations/abandon", null).status()).isEqualTo(204);
    }

    @Test
    void oneSwitchoverAtATimeFromASourceDatabase() throws Exception {
        ConnectionDetails source = database("pair_src");
        MigrationCalls api = following("pair-a", source, database("pair_a"));
        // the same source server under another name: still the same source
        ConnectionDetails sameSource = new ConnectionDetails("localhost", source.port(), source.database(), source.user(), source.password());
        assertThat(source.host()).isNotEqualTo(sameSource.host());
        api.createAndStart("pair-b", sameSource, database("pair_b"), "clone_and_follow");
        api.awaitStatus("pair-b", "streaming", LIMIT);

        try (Connection application = application(source)) { // pair-a's switchover waits for it
            assertThat(api.call("POST", "/api/v1/migrations/pair-a/switchover?timeout_sec=600", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> rows(source, "SHOW default_transaction_read_only").equals(java.util.List.of("on")));
            MigrationCalls.Reply refused = api.call("POST", "/api/v1/migrations/pair-b/switchover", null);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().path("detail").asString()).contains("migration \"pair-a\" is switching over from the same source");
            assertThat(api.call("POST", "/api/v1/migrations/pair-a/stop", null).status()).isEqualTo(200);
            api.awaitStatus("pair-a", "stopped", LIMIT);
        }
        // once it has ended, the other may
        await().atMost(LIMIT).until(() -> api.call("POST", "/api/v1/migrations/pair-b/switchover", null).status() == 200);
        assertThat(api.awaitStatus("pair-b", "completed", LIMIT).path("phase").asString()).isEqualTo("switchover_complete");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE pair_src RESET default_transaction_read_only");
    }

    /** Migration {@code id} following a table {@code t} (one row) from {@code source} into {@code dest}. */
    private MigrationCalls following(String id, ConnectionDetails source, ConnectionDetails dest) throws Exception {
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart(id, source, dest, "clone_and_follow");
        api.awaitStatus(id, "streaming", LIMIT);
        return api;
    }

    /** A session of the application: named as the service's own sessions are not (a switchover spares those). */
    private static Connection application(ConnectionDetails db) throws java.sql.SQLException {
        Connection c = db.connect();
        try (java.sql.Statement st = c.createStatement()) {
            st.execute("SET application_name = 'application'");
        }
        return c;
    }
}
