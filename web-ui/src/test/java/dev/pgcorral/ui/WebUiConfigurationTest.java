package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A service whose type has no page, or a service without a URL, stops web-ui at start, naming the setting. */
class WebUiConfigurationTest {

    @Test
    void aTypeWithoutAPageIsRefused() {
        assertThatThrownBy(() -> start("--pgcorral.ui.services[0].name=events", "--pgcorral.ui.services[0].type=kafka",
                "--pgcorral.ui.services[0].url=http://localhost:1"))
                .hasStackTraceContaining("pgcorral.ui.services[0].type").hasStackTraceContaining("kafka");
    }

    @Test
    void aServiceWithoutUrlIsRefused() {
        assertThatThrownBy(() -> start("--pgcorral.ui.services[0].name=lock", "--pgcorral.ui.services[0].type=lock"))
                .hasStackTraceContaining("pgcorral.ui.services[0].url");
    }

    private static void start(String... args) {
        new SpringApplicationBuilder(WebUiApplication.class).properties("server.port=0").run(args).close();
    }
}
