package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

/** A JDBC slice: what Flyway's migrations made, read from PostgreSQL's catalog. */
@JdbcTest
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class SchemaTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyMigrationRan() {
        assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank", String.class))
                .containsExactly("1", "2");
    }

    @Test
    void theTablesAreThere() {
        assertThat(jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                + " AND table_name <> 'flyway_schema_history' ORDER BY 1", String.class))
                .containsExactly("customer", "order_line", "product", "purchase_order");
    }

    @Test
    void anOrdersLinesGoWithIt() {
        jdbc.update("INSERT INTO customer (email, name) VALUES ('a@example.com', 'A')");
        jdbc.update("INSERT INTO product (sku, name, price_cents, stock) VALUES ('P', 'P', 1, 1)");
        jdbc.update("INSERT INTO purchase_order (customer_id, status, total_cents) VALUES (1, 'PLACED', 1)");
        jdbc.update("INSERT INTO order_line (order_id, product_id, quantity, price_cents) VALUES (1, 1, 1, 1)");

        jdbc.update("DELETE FROM purchase_order");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM order_line", Integer.class)).isZero();
    }

    @Test
    void aTestCanChangeTheSchemaWithoutHarmingOthers() {
        jdbc.execute("ALTER TABLE customer ADD COLUMN nickname text");
        jdbc.execute("DROP TABLE order_line");

        assertThat(jdbc.queryForObject("SELECT count(*) FROM information_schema.columns WHERE table_name = 'customer'",
                Integer.class)).isEqualTo(4);
    }
}
