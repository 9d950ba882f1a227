package dev.pgcorral.lock.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LockSettingsTest {

    @Test
    void withNothingSetItIsALocalLockService() {
        LockSettings settings = LockSettings.from(name -> null, Map.of());

        assertThat(settings.url()).isEqualTo(URI.create("http://localhost:9191"));
        assertThat(settings.password()).isEqualTo("pgflock");
        assertThat(settings.lockWait()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void systemPropertiesWinOverTheEnvironment() {
        Map<String, String> properties = Map.of("pgcorral.lock.url", "http://ci-db:9191/", "pgcorral.lock.password", "p1");
        Map<String, String> environment = Map.of("PGCORRAL_LOCK_URL", "http://other:1", "PGCORRAL_LOCK_PASSWORD", "p2",
                "PGCORRAL_LOCK_WAIT_SECONDS", "30");

        LockSettings settings = LockSettings.from(properties::get, environment);

        assertThat(settings.url()).isEqualTo(URI.create("http://ci-db:9191"));
        assertThat(settings.password()).isEqualTo("p1");
        assertThat(settings.lockWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.toString()).doesNotContain("p1");
    }

    @Test
    void aBadValueIsNamed() {
        assertThatThrownBy(() -> LockSettings.from(name -> null, Map.of("PGCORRAL_LOCK_URL", "localhost:9191")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://host:port");
        assertThatThrownBy(() -> LockSettings.from(name -> null, Map.of("PGCORRAL_LOCK_WAIT_SECONDS", "soon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PGCORRAL_LOCK_WAIT_SECONDS");
    }
}
