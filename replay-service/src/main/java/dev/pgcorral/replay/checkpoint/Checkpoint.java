package dev.pgcorral.replay.checkpoint;

import java.time.Instant;
import java.util.UUID;

import dev.pgcorral.common.pg.Lsn;

/**
 * A named point in a session's change log.
 *
 * @param lsn        position of the logical message that set it on the source (Creation: the slot's consistent point)
 * @param entryIndex entries captured before it; null until capture has reached it
 * @param commitLsn  commit position of its message's transaction; null until captured
 * @param sequences  JSON array of the source's sequences then: {@code [{schema, name, value}]}
 * @param copyDb     the template database on the target server holding its state, when one is kept
 * @param copyState  NONE, BUILDING, READY, FAILED
 */
public record Checkpoint(UUID id, UUID sessionId, Kind kind, String name, String description, Instant createdAt, Lsn lsn,
                         Long entryIndex, Lsn commitLsn, String sequences, String copyDb, String copyState, String copyError) {

    public enum Kind { CREATION, MIGRATION, USER }

    public boolean captured() {
        return entryIndex != null;
    }

    public boolean copyReady() {
        return "READY".equals(copyState) && copyDb != null;
    }
}
