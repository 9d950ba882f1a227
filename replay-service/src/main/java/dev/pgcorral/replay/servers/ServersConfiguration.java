package dev.pgcorral.replay.servers;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariDataSource;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.replay.ReplayProperties;

/**
 * Where the source, the target and the metadata are: configured, or on the embedded server, which is
 * started only when one of them is not configured.
 */
@Configuration(proxyBeanMethods = false)
public class ServersConfiguration {

    /** The embedded server when something needs it; {@link Embedded#server()} is null otherwise. */
    public record Embedded(EmbeddedServer server) implements AutoCloseable {
        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }

    @Bean(destroyMethod = "close")
    Embedded embedded(ReplayProperties properties, DataSourceProperties dataSource) {
        boolean source = blank(properties.source());
        boolean target = blank(properties.target());
        boolean metadata = blank(dataSource.getUrl());
        if (!source && !target && !metadata) {
            return new Embedded(null);
        }
        EmbeddedServer server = EmbeddedServer.start(properties.embedded());
        server.announce(source, target, metadata);
        return new Embedded(server);
    }

    @Bean
    Endpoints endpoints(ReplayProperties properties, Embedded embedded) {
        return new Endpoints(
                blank(properties.source()) ? embedded.server().database(EmbeddedServer.SOURCE) : parse(properties.source(), "source"),
                blank(properties.target()) ? embedded.server().database(EmbeddedServer.TARGET) : parse(properties.target(), "target"));
    }

    @Bean
    PostgresBinaries postgresBinaries(ReplayProperties properties, Embedded embedded) {
        return embedded.server() != null ? embedded.server().binaries() : PostgresBinaries.locate(properties.embedded().binDir());
    }

    @Bean
    DataSource dataSource(DataSourceProperties properties, Embedded embedded) {
        if (!blank(properties.getUrl())) {
            return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        }
        ConnectionDetails metadata = embedded.server().database(EmbeddedServer.METADATA);
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(metadata.jdbcUrl());
        ds.setUsername(metadata.user());
        ds.setPassword(metadata.password());
        ds.setMaximumPoolSize(8);
        ds.setConnectionTimeout(5_000); // a call while the server restarts after a crash answers 503 after this, not 30 s
        ds.setPoolName("replay-metadata");
        return ds;
    }

    private static ConnectionDetails parse(String url, String setting) {
        try {
            return ConnectionDetails.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pgcorral.replay." + setting + " is not usable: " + e.getMessage());
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
