package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** One leased database for the context: Flyway ran on it, and the test methods share it. */
@SpringBootTest(classes = OrdersApp.class)
@AutoConfigurePgcorralDatabase
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerContextDatabaseTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    @Order(1)
    void theApplicationRunsOnALeasedDatabaseThatFlywayMigrated() {
        assertThat(jdbc.queryForObject("SELECT current_database()", String.class)).as("one of lock-service's databases")
                .matches("tester\\d+");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Integer.class)).isEqualTo(1);
        jdbc.update("INSERT INTO orders (note) VALUES ('first')");
    }

    @Test
    @Order(2)
    void theNextTestMethodSharesIt() {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class)).isEqualTo(1);
    }
}
