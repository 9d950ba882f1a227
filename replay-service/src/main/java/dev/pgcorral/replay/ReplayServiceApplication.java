package dev.pgcorral.replay;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.web.ContainerProblems;
import dev.pgcorral.common.web.StateStoreProblems;

/** replay-service: captures a database's changes, sets checkpoints, moves a target database to any of them. */
@SpringBootApplication
@EnableConfigurationProperties(ReplayProperties.class)
@Import({LiveStatusConfiguration.class, ContainerProblems.class, StateStoreProblems.class})
public class ReplayServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReplayServiceApplication.class, args);
    }
}
