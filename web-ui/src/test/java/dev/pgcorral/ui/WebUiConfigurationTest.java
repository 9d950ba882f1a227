package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A service whose type has no page, a service without a URL, or a malformed allowed host stops web-ui
 * at start, naming the setting; the dashboard's password defaults to the lock service's; by default
 * web-ui follows a lock, a replay and a migration service.
 */
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

    @Test
    void theDashboardPasswordIsItsOwnElseTheLockServicesElsePgflocks() {
        UiProperties.Service lock = new UiProperties.Service("lock", "lock", URI.create("http://localhost:9191"), "lock-secret");
        UiProperties.Service other = new UiProperties.Service("replay", "replay", URI.create("http://localhost:9292"), "replay-secret");
        assertThat(new UiProperties(List.of(lock), "own", List.of()).loginPassword()).isEqualTo("own");
        assertThat(new UiProperties(List.of(other, lock), null, List.of()).loginPassword()).isEqualTo("lock-secret");
        assertThat(new UiProperties(List.of(other), "", List.of()).loginPassword()).isEqualTo("pgflock");
        assertThat(new UiProperties(List.of(lock), "own", List.of()).toString()).doesNotContain("own").doesNotContain("lock-secret");
    }

    @Test
    void byDefaultWebUiFollowsTheLockReplayAndMigrationServicesAndOpensWithTheLockPassword() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WebUiApplication.class).properties("server.port=0").run()) {
            UiProperties properties = context.getBean(UiProperties.class);
            assertThat(properties.services()).extracting(UiProperties.Service::name).containsExactly("lock", "replay", "migration");
            UiProperties.Service replay = properties.service("replay");
            assertThat(replay.type()).isEqualTo("replay");
            assertThat(replay.url()).isEqualTo(URI.create("http://localhost:9292"));
            assertThat(replay.password()).isEqualTo("replay");
            UiProperties.Service migration = properties.service("migration");
            assertThat(migration.type()).isEqualTo("migration");
            assertThat(migration.url()).isEqualTo(URI.create("http://localhost:7654"));
            assertThat(migration.password()).isEqualTo("migration");
            assertThat(properties.loginPassword()).isEqualTo("pgflock");
        }
    }

    @Test
    void anAllowedHostMustBeAHostName() {
        assertThatThrownBy(() -> start("--pgcorral.ui.allowed-hosts=evil.example/path"))
                .hasStackTraceContaining("allowedHosts[0]").hasStackTraceContaining("must be a host name");
    }

    private static void start(String... args) {
        new SpringApplicationBuilder(WebUiApplication.class).properties("server.port=0").run(args).close();
    }
}
