package dev.pgcorral.migration.follow;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The lag of a follow over the last {@link #SPAN}, at most one probe a second, oldest first: so that a chart
 * opened while it follows starts with what came before.
 */
final class LagHistory {

    static final Duration SPAN = Duration.ofMinutes(5);
    /** A probe this long after the last one kept is kept: the probes come every 200 ms, give or take. */
    private static final Duration STEP = Duration.ofMillis(900);

    private final Deque<FollowProgress.Lag> kept = new ArrayDeque<>();

    /** Keeps {@code lag} (a probe's, with its time) when a second or more has passed since the last one kept. */
    synchronized void add(FollowProgress.Lag lag) {
        FollowProgress.Lag last = kept.peekLast();
        if (last != null && Duration.between(last.probedAt(), lag.probedAt()).compareTo(STEP) < 0) {
            return;
        }
        kept.addLast(lag);
        while (Duration.between(kept.peekFirst().probedAt(), lag.probedAt()).compareTo(SPAN) > 0) {
            kept.removeFirst();
        }
    }

    synchronized List<FollowProgress.Lag> list() {
        return List.copyOf(kept);
    }
}
