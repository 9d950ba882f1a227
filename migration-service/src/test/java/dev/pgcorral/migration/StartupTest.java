package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class StartupTest extends MigrationTestBase {

    @Autowired
    JdbcClient state;

    @Test
    void keepsItsStateInTheEmbeddedServer() {
        assertThat(embedded.started()).isTrue();
        assertThat(state.sql("SELECT current_database() || '.' || count(*) FROM pg_tables WHERE schemaname = 'migration' "
                + "AND tablename IN ('clusters', 'nodes')").query(String.class).single()).isEqualTo("migration.2");
    }
}
