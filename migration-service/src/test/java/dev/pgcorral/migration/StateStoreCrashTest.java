package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The service's state is in its embedded PostgreSQL: when that server dies (a crash, a {@code kill -9}), the service
 * starts it again by itself, and its state is still there; while it is out of reach, calls are answered 503.
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

    @Test
    void whileTheStateServerIsDownCallsAreAnswered503AndServedAgainOnceItIsBack() throws Exception {
        MigrationCalls api = new MigrationCalls(port, null);
        String cluster = api.cluster("through-a-stop", database("stop_db"));
        embedded.server().stop(); // a deliberate stop: not started again by itself
        try {
            MigrationCalls.Reply down = api.call("GET", "/api/v1/clusters/" + cluster, null);
            assertThat(down.status()).as(down.body().toString()).isEqualTo(503);
            assertThat(down.contentType()).startsWith("application/problem+json");
            assertThat(down.retryAfter()).isEqualTo("5");
            assertThat(down.body().path("detail").asString()).contains("state store cannot be reached");
        } finally {
            embedded.server().start();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.call("GET", "/api/v1/clusters/" + cluster, null).status() == 200);
        assertThat(api.get("/api/v1/clusters/" + cluster).path("name").asString()).isEqualTo("through-a-stop");
    }
}
