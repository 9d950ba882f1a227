package dev.pgcorral.lock;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.PoolStatus;

/**
 * lock-service as a user runs it, on real local PostgreSQL servers: 2 instances of 3 databases, a
 * template with an extension and Flyway migrations. Subclasses share one running service; every
 * test leaves the pool as it found it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.lock.port=0",
        "pgcorral.lock.instances=2",
        "pgcorral.lock.databases-per-instance=3",
        "pgcorral.lock.template.extensions=pg_trgm",
        "pgcorral.lock.template.migrations=classpath:db/testmigration",
        "pgcorral.lock.template.watch-interval=0s",
        "pgcorral.lock.runtime.settings.max_prepared_transactions=4"})
abstract class PoolTestBase {

    static final String PASSWORD = "pgflock";
    static final int TOTAL = 6;

    @Autowired
    LockConfiguration.FrontPort front;
    @Autowired
    Pool pool;

    LockServiceClient client;
    int port;

    @BeforeEach
    void connectClient() {
        port = front.port();
        client = new LockServiceClient(port, PASSWORD);
    }

    @AfterEach
    void leavePoolFull() {
        pool.releaseAll();
        awaitPoolFull();
    }

    void awaitPoolFull() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            PoolStatus.Counts counts = pool.status().counts();
            return counts.free() == TOTAL && counts.waiting() == 0;
        });
    }

    static Connection connect(String postgresUrl) throws SQLException {
        return ConnectionDetails.parse(postgresUrl).connect();
    }

    int locked() {
        return client.health().get("locked").asInt();
    }

    int waiting() {
        return client.health().get("waiting").asInt();
    }
}
