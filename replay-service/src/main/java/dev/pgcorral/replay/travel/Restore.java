package dev.pgcorral.replay.travel;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A move of a session's target database to a point of its change log.
 *
 * @param toSeq            the target holds the state after this many entries when it is done
 * @param startPoint       what it started from: the target as it was (going forward) or a kept copy
 * @param entriesTotal     entries to apply
 * @param entriesApplied   entries applied so far
 * @param connectionsEnded connections to the target that were ended first
 */
public record Restore(UUID id, UUID sessionId, UUID checkpointId, long toSeq, State state, Instant startedAt, Instant finishedAt,
                      String startPoint, long entriesTotal, long entriesApplied, int connectionsEnded, String error) {

    public enum State { RUNNING, DONE, FAILED }

    /** This restore as it goes: started from {@code startPoint}, {@code applied} of {@code total} entries applied. */
    Restore progressing(String startPoint, long total, long applied) {
        return new Restore(id, sessionId, checkpointId, toSeq, state, startedAt, null, startPoint, total, applied, connectionsEnded, null);
    }

    Restore progressing(long applied) {
        return progressing(startPoint, entriesTotal, applied);
    }

    Restore withConnectionsEnded(int ended) {
        return new Restore(id, sessionId, checkpointId, toSeq, state, startedAt, null, startPoint, entriesTotal, entriesApplied, ended, null);
    }

    /** This restore ended: DONE with every entry applied, or FAILED with {@code error}. */
    Restore finished(String error) {
        return new Restore(id, sessionId, checkpointId, toSeq, error == null ? State.DONE : State.FAILED, startedAt, Instant.now(),
                startPoint, entriesTotal, error == null ? entriesTotal : entriesApplied, connectionsEnded, error);
    }

    public Duration duration() {
        return Duration.between(startedAt, finishedAt == null ? Instant.now() : finishedAt);
    }
}
