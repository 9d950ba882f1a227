package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcorral.lock.pool.DatabaseState;
import dev.pgcorral.lock.pool.PoolStatus;

/**
 * A database that cannot be dropped (a holder left a prepared transaction in it) is quarantined, with
 * the reason, never handed out, and retried until the reset succeeds.
 */
class QuarantineTest extends PoolTestBase {

    @Test
    void aDatabaseThatCannotBeResetIsQuarantinedAndRetried() throws Exception {
        String url;
        try (PgflockConnection lock = PgflockConnection.lock(port, "leaves-a-prepared-transaction", PASSWORD)) {
            url = lock.firstLine();
            try (Connection db = connect(url); Statement st = db.createStatement()) {
                st.execute("BEGIN");
                st.execute("INSERT INTO holder VALUES ('prepared')");
                st.execute("PREPARE TRANSACTION 'left-behind'");
            }
        }
        String name = url.substring(url.lastIndexOf('/') + 1);
        int dbPort = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> quarantined(name, dbPort) != null);
        PoolStatus.Database stuck = quarantined(name, dbPort);
        assertThat(stuck.lastError()).contains("prepared transactions");
        assertThat(pool.status().counts().quarantined()).isEqualTo(1);

        for (int i = 0; i < TOTAL - 1; i++) {
            PgflockConnection other = PgflockConnection.lock(port, "other-" + i, PASSWORD);
            assertThat(other.firstLine()).as("the quarantined database is not handed out").doesNotEndWith(":" + dbPort + "/" + name);
            other.close();
        }

        try (Connection db = connect(url); Statement st = db.createStatement()) {
            st.execute("ROLLBACK PREPARED 'left-behind'");
        }
        awaitPoolFull();
        assertThat(pool.status().databases()).filteredOn(d -> d.name().equals(name) && d.port() == dbPort)
                .singleElement().satisfies(d -> assertThat(d.lastError()).isNull());
    }

    private PoolStatus.Database quarantined(String name, int dbPort) {
        return pool.status().databases().stream()
                .filter(d -> d.name().equals(name) && d.port() == dbPort && d.state() == DatabaseState.QUARANTINED)
                .findFirst().orElse(null);
    }
}
