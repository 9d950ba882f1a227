package dev.pgcorral.migration;

import static dev.pgcorral.migration.TestServer.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service restarted after its follow's slot was dropped on the source while it was down: the restart cannot
 * follow on without losing changes, and says so, instead of cloning again over the destination by itself.
 */
class RestartTest extends ServiceProcessTest {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void aSlotDroppedWhileTheServiceWasDownFailsTheMigrationAndTheDestinationIsLeftAlone() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "src", "dst");
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        service = new ServiceProcess(dir, server.database("meta"), Map.of());
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart("gone", source, dest, "clone_and_follow");
        api.awaitStatus("gone", "streaming", LIMIT);
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
}
