package dev.pgcorral.migration.status;

import java.time.Instant;

import dev.pgcorral.common.status.StatusSource;

/** migration-service's live status on {@code /topic/status}. */
public final class MigrationStatus implements StatusSource {

    /** The snapshot: when it was taken. */
    public record Snapshot(Instant at) {
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(Instant.now());
    }
}
