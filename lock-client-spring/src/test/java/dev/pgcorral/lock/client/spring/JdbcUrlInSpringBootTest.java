package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.annotation.DirtiesContext;

/** No annotation of ours: spring.datasource.url is a jdbc:pgcorral: URL, and the application runs on a leased database. */
@SpringBootTest(classes = OrdersApp.class)
@DirtiesContext // its connection pool holds the URL's lease: closing the context gives it back to the pool of 4
class JdbcUrlInSpringBootTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = System.getProperty("pgcorral.lock.url").replace("http://", "jdbc:pgcorral://") + "/JdbcUrlInSpringBootTest";
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.driver-class-name", () -> "dev.pgcorral.lock.client.jdbc.PgcorralDriver");
    }

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void flywayAndTheApplicationRunOnTheLeasedDatabase() {
        assertThat(jdbc.queryForObject("SELECT current_database()", String.class)).matches("tester\\d+");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Integer.class)).isEqualTo(1);
        jdbc.update("INSERT INTO orders (note) VALUES ('through the URL')");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders", Integer.class)).isEqualTo(1);
    }
}
