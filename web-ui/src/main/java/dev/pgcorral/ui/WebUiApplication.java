package dev.pgcorral.ui;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.web.ProblemHandling;
import dev.pgcorral.common.web.ProblemReportValve;

/**
 * web-ui: one live dashboard for the suite. It keeps a STOMP subscription to every configured service's
 * {@code /topic/status} and publishes what it knows of all of them on its own {@code /topic/status},
 * so a browser talks to web-ui only. Actions run here, with the service's password.
 */
@SpringBootApplication
@EnableConfigurationProperties(UiProperties.class)
@Import({LiveStatusConfiguration.class, ProblemHandling.class})
public class WebUiApplication {

    /**
     * Tomcat's own error report, for a request it refuses before web-ui sees it (a path with {@code %2F}, {@code %00} or
     * invalid UTF-8, a request head too large), as a small problem document rather than Tomcat's HTML page: what the
     * pages' scripts read from an action, and plain enough for a browser that asked for a page. Errors web-ui handles
     * itself (a page not found, say) keep their own answers.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReportValve() {
        return ProblemReportValve.onTheHost();
    }

    public static void main(String[] args) {
        SpringApplication.run(WebUiApplication.class, args);
    }
}
