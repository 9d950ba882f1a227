package dev.pgcorral.lock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.web.ContainerProblems;

/** lock-service: a pool of throwaway PostgreSQL databases for parallel tests. */
@SpringBootApplication
@EnableConfigurationProperties(LockProperties.class)
@Import({LiveStatusConfiguration.class, ContainerProblems.class})
public class LockServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(LockServiceApplication.class, args);
    }
}
