package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RestartPacingTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RestartPacing pacing = new RestartPacing(now::get);

    private void after(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aServerThatRanAWhileStartsAgainAtOnce() {
        pacing.started();
        after(Duration.ofMinutes(5));
        assertThat(pacing.pauseAfterDeath()).isZero();
    }

    @Test
    void aServerThatKeepsDyingRightAfterItsStartWaitsLongerEachTimeUpTo30sAndAtOnceAgainOnceItRanAWhile() {
        pacing.started();
        StringBuilder pauses = new StringBuilder();
        for (int death = 0; death < 7; death++) {
            after(Duration.ofSeconds(2));
            Duration pause = pacing.pauseAfterDeath();
            pauses.append(pause.toSeconds()).append(' ');
            after(pause);
            pacing.started();
        }
        assertThat(pauses.toString().trim()).isEqualTo("1 2 4 8 16 30 30");

        after(Duration.ofMinutes(2));
        assertThat(pacing.pauseAfterDeath()).as("it ran a while: a death is not a loop").isZero();
        pacing.started();
        after(Duration.ofSeconds(1));
        assertThat(pacing.pauseAfterDeath()).as("a new loop starts over at 1 s").isEqualTo(Duration.ofSeconds(1));
    }
}
