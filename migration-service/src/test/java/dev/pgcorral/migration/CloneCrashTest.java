package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * migration-service in its own JVM, killed with SIGKILL while its clone copies rows; started again, it
 * says the run was cut off, and the migration started again starts over and ends with a destination that
 * compares equal (no row lost, none doubled).
 */
class CloneCrashTest extends ServiceProcessTest {


    @Test
    void aCloneKilledWhileCopyingStartsOverAndComparesEqual() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "src", "dst");
        server.pgbenchInit("src", 8);
        ConnectionDetails source = server.database("src");
        service = new ServiceProcess(dir, server.database("meta"), Map.of("PGCORRAL_MIGRATION_COPY_SPLIT_ABOVE", "8MB"));
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart("crash", source, server.database("dst"), "clone_only");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode m = api.get("/api/v1/migrations/crash");
            return "copy".equals(m.path("phase").asString()) && m.path("live_total_bytes").asLong() > 0;
        });
        service.kill();

        service.start();
        JsonNode cut = api.get("/api/v1/migrations/crash");
        assertThat(cut.path("status").asString()).isEqualTo("failed");
        assertThat(cut.path("phase").asString()).isEqualTo("stale");
        assertThat(cut.path("error_message").asString()).contains("start the migration again");

        api.call("POST", "/api/v1/migrations/crash/start", null);
        api.awaitStatus("crash", "completed", Duration.ofSeconds(300));
        JsonNode compare = api.call("POST", "/api/v1/migrations/crash/compare", null).body();
        assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
        assertThat(compare.path("tables_compared").asInt()).isEqualTo(4);
        assertThat(TestServer.count(server.database("dst"), "SELECT count(*) FROM pgbench_accounts")).isEqualTo(800_000);
    }
}
