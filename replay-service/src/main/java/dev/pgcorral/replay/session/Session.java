package dev.pgcorral.replay.session;

import java.time.Instant;
import java.util.UUID;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * A session: one captured source database and the target database it moves. Its connection details
 * hold passwords; {@link #toString()} does not show them.
 *
 * @param entries    entries in its change log
 * @param storedLsn  commit position of the last transaction stored (the slot's consistent point before any)
 * @param storedAt   commit time of that transaction, null before any
 * @param targetSeq  the target holds the state after this many entries; null when unknown (being changed,
 *                   or a restore failed half-way)
 */
public record Session(UUID id, String name, String description, ConnectionDetails source, ConnectionDetails target,
                      String slot, String publication, boolean ddlCapture, String captureNote, State state, String error,
                      boolean active, Instant createdAt, Instant updatedAt, long entries, Lsn storedLsn, Instant storedAt,
                      Long targetSeq) {

    public enum State { CREATING, CAPTURING, FAILED }

    /** A short form of the id for names on the servers: slot, publication, copies, event trigger. */
    public String shortId() {
        return shortId(id);
    }

    public static String shortId(UUID id) {
        return id.toString().replace("-", "").substring(0, 12);
    }

    /** Prefix of the logical messages this session writes on its source: DDL and checkpoints. */
    public String messagePrefix() {
        return "pgcorral.replay." + shortId();
    }
}
