package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** pgcorral.lock.spring.enabled / PGCORRAL_LOCK_SPRING_ENABLED: the property first, then the variable, else on. */
class TurnedOffTest {

    @Test
    void theAnnotationIsOnUnlessTurnedOff() {
        assertThat(PgcorralContextCustomizerFactory.enabled(null, null)).isTrue();
        assertThat(PgcorralContextCustomizerFactory.enabled(null, "false")).isFalse();
        assertThat(PgcorralContextCustomizerFactory.enabled("true", "false")).isTrue();
        assertThat(PgcorralContextCustomizerFactory.enabled(" FALSE ", null)).isFalse();
        assertThatThrownBy(() -> PgcorralContextCustomizerFactory.enabled("off", null))
                .hasMessage("PGCORRAL_LOCK_SPRING_ENABLED (or pgcorral.lock.spring.enabled) must be true or false, not off");
    }

    @Test
    void turnedOffItLeavesTheContextAlone() {
        System.setProperty(PgcorralContextCustomizerFactory.ENABLED_PROPERTY, "false");
        try {
            assertThat(new PgcorralContextCustomizerFactory().createContextCustomizer(PerContextDatabaseTest.class, List.of()))
                    .isNull();
        } finally {
            System.clearProperty(PgcorralContextCustomizerFactory.ENABLED_PROPERTY);
        }
        assertThat(new PgcorralContextCustomizerFactory().createContextCustomizer(PerContextDatabaseTest.class, List.of()))
                .isInstanceOf(PgcorralContextCustomizer.class);
    }
}
