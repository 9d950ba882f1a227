package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A pool server that crashes mid-lease: the lease ends, health goes down, the server comes back, the pool is full again. */
class InstanceRecoveryTest extends PoolTestBase {

    @Test
    void aCrashedServerEndsItsLeasesAndComesBack() throws Exception {
        double downBefore = instanceDownEnds();
        PgflockConnection lock = PgflockConnection.lock(port, "crash-victim", PASSWORD);
        String url = lock.firstLine();
        int victimPort = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
        long postmaster;
        try (Connection db = connect(url); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            postmaster = Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).get(0).strip());
        }
        new ProcessBuilder("kill", "-9", Long.toString(postmaster)).start().waitFor();

        assertThat(lock.readToEnd()).as("the holder's response ends").isEmpty();
        lock.close();
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/actuator/health").status() == 200);
        awaitPoolFull();
        assertThat(instanceDownEnds()).as("the victim's lease ended because its server died").isEqualTo(downBefore + 1);
        assertThat(pool.status().instances()).anySatisfy(i -> assertThat(i.port()).isEqualTo(victimPort));
        assertThat(pool.status().status()).isEqualTo("ok");
    }

    private double instanceDownEnds() {
        return client.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith("pgcorral_lock_ends_total{reason=\"instance_down\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void healthIsDownWhileAServerIsNotRunning() {
        assertThat(client.get("/actuator/health").status()).isEqualTo(200);
        pool.instance(1).orElseThrow().stop();
        try {
            var health = client.get("/actuator/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("components").get("pool").get("status").asString()).isEqualTo("DOWN");
            assertThat(client.health().get("status").asString()).isEqualTo("degraded");
        } finally {
            pool.restart();
        }
        assertThat(client.get("/actuator/health").status()).isEqualTo(200);
    }
}
