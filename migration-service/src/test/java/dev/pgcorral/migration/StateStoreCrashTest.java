package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The service's state is in its embedded PostgreSQL: when that server dies (a crash, a {@code kill -9}), the service
 * starts it again by itself, and its state is still there.
 */
class StateStoreCrashTest extends MigrationTestBase {

    @Test
    void aKilledEmbeddedServerIsStartedAgainWithTheServicesState() throws Exception {
        MigrationCalls api = new MigrationCalls(port, null);
        String cluster = api.cluster("kept", database("crash_db"));
        embedded.server().kill();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.call("GET", "/api/v1/clusters/" + cluster, null).status() == 200);
        assertThat(api.get("/api/v1/clusters/" + cluster).path("name").asString()).isEqualTo("kept");
        assertThat(embedded.server().isRunning()).isTrue();
    }
}
