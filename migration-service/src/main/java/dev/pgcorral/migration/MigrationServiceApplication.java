package dev.pgcorral.migration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.web.ContainerProblems;
import dev.pgcorral.common.web.StateStoreProblems;

/** migration-service: registers clusters, clones a database from one snapshot, compares; pgmanager compatible. */
@SpringBootApplication
@EnableConfigurationProperties(MigrationProperties.class)
@Import({LiveStatusConfiguration.class, ContainerProblems.class, StateStoreProblems.class})
public class MigrationServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(MigrationServiceApplication.class, args);
    }
}
