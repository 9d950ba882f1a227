package dev.pgcorral.migration;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.web.JsonBodies;
import dev.pgcorral.migration.cluster.ClusterUsage;
import dev.pgcorral.migration.cluster.Clusters;
import dev.pgcorral.migration.migration.MigrationStore;
import dev.pgcorral.migration.migration.Migrations;
import dev.pgcorral.migration.migration.NodeResolver;
import dev.pgcorral.migration.state.EmbeddedServer;
import dev.pgcorral.migration.status.MigrationMetrics;
import dev.pgcorral.migration.status.MigrationStatus;

/** Wires migrations, the clone and the live status; at start-up, marks runs the last process left unfinished. */
@Configuration(proxyBeanMethods = false)
class MigrationConfiguration {

    @Bean
    MigrationStore migrationStore(JdbcClient jdbc, TransactionTemplate tx) {
        return new MigrationStore(jdbc, tx);
    }

    /** Where a migration's nodes are: the cluster registry. */
    @Bean
    NodeResolver nodeResolver(Clusters clusters) {
        return clusters::connection;
    }

    /** A cluster a migration uses cannot be deleted, nor a node it uses removed. */
    @Bean
    ClusterUsage migrationsUseClusters(MigrationStore store) {
        return new ClusterUsage() {
            @Override
            public Optional<String> usedBy(String clusterId) {
                return store.usingCluster(clusterId);
            }

            @Override
            public Optional<String> usesNodeBesides(String clusterId, Collection<String> kept) {
                return store.usingNodeBesides(clusterId, kept);
            }
        };
    }

    @Bean
    PgTools pgTools(PostgresBinaries binaries) {
        return new PgTools(binaries);
    }

    @Bean(destroyMethod = "close")
    Migrations migrations(MigrationStore store, NodeResolver nodes, EmbeddedServer embedded, PgTools tools, MigrationProperties properties) {
        return new Migrations(store, nodes, embedded, tools, properties.copy(), properties.switchover());
    }

    @Bean
    MigrationStatus migrationStatus(Migrations migrations) {
        return new MigrationStatus(migrations);
    }

    @Bean
    MigrationMetrics migrationMetrics(MigrationStatus status) {
        return new MigrationMetrics(status);
    }

    /**
     * A JSON value is read only as a field of its own type, as pgmanager's Go decoder reads it: {@code "id": 12},
     * {@code "copy_workers": 1.5} or {@code "port": "5432"} is a 400, not a guess.
     */
    @Bean
    JsonMapperBuilderCustomizer strictJsonValues() {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // {"id": "a", "id": "b"} is refused, not read as b
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** pgmanager reads a request body as JSON whatever its Content-Type; so do we ({@code curl -d} says form data). */
    @Bean
    JsonBodies pgmanagerJsonBodies() {
        return new JsonBodies(Set.of("POST", "PUT"), path -> path.startsWith("/api/v1/"));
    }

    /**
     * After Flyway (runners come after it): a follow cut off by the process ending goes on; a clone cut off is marked
     * failed, with what to do.
     */
    @Bean
    ApplicationRunner resumeInterruptedRuns(Migrations migrations) {
        return args -> migrations.resumeInterrupted();
    }
}
