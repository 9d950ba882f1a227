package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A fresh leased database before each test method. lock-service's template here has no migrations, so the table exists
 * only because the application's Flyway migrated each new database.
 */
@SpringBootTest(classes = OrdersApp.class)
@AutoConfigurePgcorralDatabase(refresh = AutoConfigurePgcorralDatabase.Refresh.BEFORE_EACH_TEST_METHOD)
class PerTestMethodDatabaseTest {

    @Autowired
    JdbcTemplate jdbc;

    @RepeatedTest(3)
    void eachTestMethodStartsOnAFreshMigratedDatabase() {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class)).isZero();
        jdbc.update("INSERT INTO orders (note) VALUES ('mine')");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class)).isEqualTo(1);
    }

    @Test
    void aTestsConnectionsArePooledForIt() {
        Integer first = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);
        assertThat(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class)).as("the same session again").isEqualTo(first);
    }
}
