package dev.pgcorral.ui.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The throttle on a hand-driven clock: ten failures block an address for the rest of the window, and no other. */
class LoginThrottleTest {

    private long now = 1_000;
    private final LoginThrottle throttle = new LoginThrottle(() -> now);

    @Test
    void tenFailuresBlockThatAddressUntilTheWindowHasPassed() {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.failed("10.0.0.1");
        }
        assertThat(throttle.wait("10.0.0.1")).isZero();
        throttle.failed("10.0.0.1");
        assertThat(throttle.wait("10.0.0.1")).isEqualTo(LoginThrottle.WINDOW);
        assertThat(throttle.wait("10.0.0.2")).as("another address").isZero();

        now += Duration.ofMinutes(4).toNanos();
        assertThat(throttle.wait("10.0.0.1")).isEqualTo(Duration.ofMinutes(1));
        now += Duration.ofMinutes(1).toNanos();
        assertThat(throttle.wait("10.0.0.1")).isZero();
        throttle.failed("10.0.0.1");
        assertThat(throttle.wait("10.0.0.1")).as("a new window starts with one failure").isZero();
    }

    @Test
    void aSuccessfulLoginClearsTheCount() {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES - 1; i++) {
            throttle.failed("10.0.0.1");
        }
        throttle.succeeded("10.0.0.1");
        throttle.failed("10.0.0.1");
        assertThat(throttle.wait("10.0.0.1")).isZero();
    }
}
