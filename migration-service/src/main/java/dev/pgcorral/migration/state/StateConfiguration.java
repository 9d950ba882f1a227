package dev.pgcorral.migration.state;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.zaxxer.hikari.HikariDataSource;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationProperties;

/** Where migration-service keeps its state: {@code spring.datasource.*}, or the embedded server's database {@value EmbeddedServer#STATE}. */
@Configuration(proxyBeanMethods = false)
public class StateConfiguration {

    /** How long a call waits for a connection to the embedded state server before it is answered 503. */
    static final java.time.Duration STORE_WAIT = java.time.Duration.ofSeconds(5);

    @Bean(destroyMethod = "close")
    EmbeddedServer embeddedServer(MigrationProperties properties) {
        return new EmbeddedServer(properties.embedded());
    }

    @Bean
    DataSource dataSource(DataSourceProperties properties, EmbeddedServer embedded) {
        if (properties.getUrl() != null && !properties.getUrl().isBlank()) {
            return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        }
        ConnectionDetails state = embedded.database(EmbeddedServer.STATE);
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(state.jdbcUrl());
        ds.setUsername(state.user());
        ds.setPassword(state.password());
        ds.setMaximumPoolSize(10);
        ds.setConnectionTimeout(STORE_WAIT.toMillis()); // a call while the server restarts answers 503 after this, not 30 s
        ds.setPoolName("migration-state");
        return ds;
    }

    @Bean
    JdbcClient jdbcClient(DataSource dataSource) {
        return JdbcClient.create(dataSource);
    }

    /** pg_dump and pg_restore for the schema: the embedded server's, or the newest installed. */
    @Bean
    PostgresBinaries postgresBinaries(MigrationProperties properties, EmbeddedServer embedded) {
        return embedded.started() ? embedded.server().binaries() : PostgresBinaries.locate(properties.embedded().binDir());
    }
}
