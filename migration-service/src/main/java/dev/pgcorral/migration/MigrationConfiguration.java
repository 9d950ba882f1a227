package dev.pgcorral.migration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.pgcorral.migration.status.MigrationStatus;

/** Wires migrations, the clone and the live status. */
@Configuration(proxyBeanMethods = false)
class MigrationConfiguration {

    @Bean
    MigrationStatus migrationStatus() {
        return new MigrationStatus();
    }
}
