package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import tools.jackson.databind.JsonNode;

/**
 * A follow under pgbench, migration-service killed with SIGKILL at {@value #KILLS} random moments (and the
 * source's WAL sender ended every fourth time, while the service runs): after each restart the follow goes
 * on by itself, and once the load stops and it catches up the destination compares equal with the source,
 * {@code pgbench_history} (no key: any row lost or applied twice shows) counted on both sides.
 */
class FollowCrashTest extends ServiceProcessTest {

    private static final int KILLS = 20;
    /**
     * pgbench's rate: enough for thousands of transactions between two kills, and CPU left for the service's restarts (an
     * unlimited pgbench on two cores made each one take three times as long).
     */
    private static final int LOAD_TPS = 300;
    private static final Logger log = LoggerFactory.getLogger(FollowCrashTest.class);

    private Process load;

    /** Before the service and the server stop. */
    @AfterEach
    void stopLoad() throws InterruptedException {
        if (load != null) {
            load.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFollowKilledAgainAndAgainUnderLoadLosesNothingAndDoublesNothing() throws Exception {
        server = new TestServer(dir);
        server.create("meta", "src", "dst");
        server.pgbenchInit("src", 2);
        ConnectionDetails source = server.database("src");
        ConnectionDetails dest = server.database("dst");
        service = new ServiceProcess(dir, server.database("meta"), Map.of());
        service.start();
        MigrationCalls api = service.calls();
        api.createAndStart("crash", source, dest, "clone_and_follow");
        api.awaitStatus("crash", "streaming", Duration.ofSeconds(120));

        load = server.pgbenchLoad("src", 4, 3600, LOAD_TPS);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        log.info("killing migration-service {} times, random seed {}", KILLS, seed);
        for (int kill = 1; kill <= KILLS; kill++) {
            Lsn before = applied(api);
            // a random moment of the follow: after it applied something since it (re)started, then up to 1.5 s later
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> applied(api).isAfter(before));
            Thread.sleep(random.nextInt(1500)); // the random moment itself, not a wait for anything
            if (kill % 4 == 0) {
                TestServer.sql(source, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pgmanager_crash' "
                        + "AND active_pid IS NOT NULL");
            }
            service.kill();
            assertThat(load.isAlive()).as("pgbench runs throughout").isTrue();
            service.start();
            JsonNode again = api.awaitStatus("crash", "streaming", Duration.ofSeconds(120));
            assertThat(again.path("error_message").asString()).isEmpty();
        }
        load.destroy();
        assertThat(load.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // the clone's record outlives the kills: its tables, counts and phases, then the last run's own
        JsonNode status = api.get("/api/v1/migrations/crash");
        assertThat(status.has("finished_at")).as("a follow that goes on has not finished").isFalse();
        assertThat(status.path("tables_total").asInt()).isEqualTo(4);
        assertThat(status.path("rows_copied").asLong()).isEqualTo(200_000 + 20 + 2);
        assertThat(status.path("live_tables").valueStream().map(t -> t.path("status").asString())).containsOnly("streaming").hasSize(4);
        assertThat(status.path("live_phases").valueStream().map(p -> p.path("phase").asString()).toList())
                .containsExactly("connecting", "schema", "copy", "indexes", "finishing", "connecting", "streaming");

        long history = TestServer.count(source, "SELECT count(*) FROM pgbench_history");
        assertThat(history).as("pgbench wrote while the service was killed").isGreaterThan(100);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .until(() -> TestServer.count(dest, "SELECT count(*) FROM pgbench_history") >= history);
        JsonNode compare = api.call("POST", "/api/v1/migrations/crash/compare", null).body();
        assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
        assertThat(TestServer.count(dest, "SELECT count(*) FROM pgbench_history")).isEqualTo(history);
        assertThat(TestServer.count(dest, "SELECT sum(abalance) FROM pgbench_accounts"))
                .isEqualTo(TestServer.count(source, "SELECT sum(abalance) FROM pgbench_accounts"));
    }

    private static Lsn applied(MigrationCalls api) throws Exception {
        JsonNode m = api.get("/api/v1/migrations/crash");
        String lsn = m.path("live_lsn").asString();
        return lsn.isEmpty() ? Lsn.INVALID : Lsn.parse(lsn);
    }
}
