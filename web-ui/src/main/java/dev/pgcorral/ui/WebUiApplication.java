package dev.pgcorral.ui;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.web.ProblemHandling;

/**
 * web-ui: one live dashboard for the suite. It keeps a STOMP subscription to every configured service's
 * {@code /topic/status} and publishes what it knows of all of them on its own {@code /topic/status},
 * so a browser talks to web-ui only. Actions run here, with the service's password.
 */
@SpringBootApplication
@EnableConfigurationProperties(UiProperties.class)
@Import({LiveStatusConfiguration.class, ProblemHandling.class})
public class WebUiApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebUiApplication.class, args);
    }
}
