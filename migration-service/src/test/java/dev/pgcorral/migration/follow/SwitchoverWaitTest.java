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
 */
@TestPropertySource(properties = "pgcorral.migration.switchover.end-sessions=false")
class SwitchoverWaitTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void waitsForTheSourcesSessionsInsteadOfEndingThem() throws Exception {
        ConnectionDetails source = database("wait_src");
        ConnectionDetails dest = database("wait_dst");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("wait", source, dest, "clone_and_follow");
        api.awaitStatus("wait", "streaming", LIMIT);

        try (Connection application = source.connect()) {
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
}
