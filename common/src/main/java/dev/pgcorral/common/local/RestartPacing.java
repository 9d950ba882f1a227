package dev.pgcorral.common.local;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long a watched server waits before it is started again after it died: not at all after a run of a while, but a
 * server that keeps dying soon after each start (a crash at startup, a setting it cannot live with) waits 1 s, then
 * twice as long with every such death, up to 30 s, so it neither spins nor floods the log.
 */
final class RestartPacing {

    /** A death this soon after a start counts as quick. */
    static final Duration QUICK = Duration.ofMinutes(1);
    static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final LongSupplier nanoTime;
    private long startedAt;
    private boolean everStarted;
    private Duration lastPause = Duration.ZERO;

    /** @param nanoTime the clock ({@link System#nanoTime()}) */
    RestartPacing(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The server started (again). */
    synchronized void started() {
        startedAt = nanoTime.getAsLong();
        everStarted = true;
    }

    /** The server died: the pause before starting it again. */
    synchronized Duration pauseAfterDeath() {
        boolean quick = everStarted && nanoTime.getAsLong() - startedAt < QUICK.toNanos();
        lastPause = !quick ? Duration.ZERO : lastPause.isZero() ? FIRST_PAUSE : min(lastPause.multipliedBy(2), MAX_PAUSE);
        return lastPause;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
