package dev.pgcorral.replay.capture;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.pgcorral.common.pg.Lsn;

/** What capture tells the rest of the service; called on a capture thread, so implementations are quick. */
public interface CaptureEvents {

    /** A batch was committed to the change log (and acknowledged to the source). */
    default void stored(UUID session, long entries, int transactions, Lsn commitLsn, Instant commitTime, List<UUID> checkpoints) {
    }

    /** The stream is open (again). */
    default void resumed(UUID session) {
    }

    /** The stream broke and could not be resumed yet; capture retries. */
    default void failed(UUID session, String reason) {
    }
}
