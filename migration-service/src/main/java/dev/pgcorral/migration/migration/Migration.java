package dev.pgcorral.migration.migration;

import java.time.Instant;

/** A migration as stored (pgmanager's object, with real byte and row counts). */
public record Migration(String id, String name, String sourceClusterId, String destClusterId, String sourceNodeId, String destNodeId,
                       Mode mode, boolean fallback, Status status, String phase, String errorMessage, String slotName,
                       String publication, int copyWorkers, Long confirmedLsn, int tablesTotal, int tablesCopied, long rowsCopied,
                       long bytesCopied, boolean destWritten, Instant startedAt, Instant finishedAt, Instant createdAt,
                       Instant updatedAt) {

    public enum Mode {
        CLONE_ONLY, CLONE_AND_FOLLOW, CLONE_FOLLOW_SWITCHOVER,
        /** Ours (pgmanager runs it only inside, for a fallback): follows a slot that exists into a destination that holds its data. */
        FOLLOW_ONLY;

        /** Whether a run follows the source (all but {@link #CLONE_ONLY}). */
        public boolean follows() {
            return this != CLONE_ONLY;
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Mode fromWire(String text) {
            for (Mode m : values()) {
                if (m.wire().equals(text)) {
                    return m;
                }
            }
            return null;
        }
    }

    public enum Status {
        CREATED, RUNNING, STREAMING, SWITCHOVER, COMPLETED, FAILED, STOPPED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A run's outcome: completed, failed or stopped. */
        public boolean ended() {
            return this == COMPLETED || this == FAILED || this == STOPPED;
        }
    }
}
