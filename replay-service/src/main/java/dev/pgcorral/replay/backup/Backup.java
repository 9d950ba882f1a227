package dev.pgcorral.replay.backup;

import java.time.Instant;
import java.util.UUID;

/**
 * A {@code pg_dump} (custom format) of a session's target as it was at a checkpoint.
 *
 * @param checkpoint the checkpoint's name when the backup was taken
 * @param entryIndex the change log position the backup holds
 */
public record Backup(UUID id, UUID sessionId, UUID checkpointId, String checkpoint, long entryIndex, String file, long sizeBytes,
                     Instant createdAt) {
}
