package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.WebApplicationType;

/** Bad configuration stops lock-service at start with a message that names the setting. */
class ConfigurationValidationTest {

    @Test
    void zeroInstancesIsRefused() {
        assertThatThrownBy(() -> start("pgcorral.lock.instances=0"))
                .hasStackTraceContaining("pgcorral.lock.instances");
    }

    @Test
    void anUnknownRuntimeIsRefused() {
        assertThatThrownBy(() -> start("pgcorral.lock.runtime.type=kubernetes"))
                .hasStackTraceContaining("pgcorral.lock.runtime.type");
    }

    @Test
    void aMissingMigrationDirectoryIsRefused() {
        assertThatThrownBy(() -> start("pgcorral.lock.template.migrations=filesystem:/no/such/dir"))
                .hasStackTraceContaining("pgcorral.lock.template.migrations")
                .hasStackTraceContaining("/no/such/dir");
    }

    @Test
    void anInvalidDatabasePrefixIsRefused() {
        assertThatThrownBy(() -> start("pgcorral.lock.database-prefix=Drop Table"))
                .hasStackTraceContaining("pgcorral.lock.database-prefix");
    }

    @Test
    void frontLimitsMustAllowARequest() {
        assertThatThrownBy(() -> start("pgcorral.lock.front.head-timeout=0s"))
                .hasStackTraceContaining("pgcorral.lock.front.headTimeout");
        assertThatThrownBy(() -> start("pgcorral.lock.front.max-unauthenticated=0"))
                .hasStackTraceContaining("pgcorral.lock.front.maxUnauthenticated");
    }

    private static void start(String property) {
        new SpringApplicationBuilder(LockServiceApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties("pgcorral.lock.port=0", "server.port=0", property)
                .run().close();
    }
}
