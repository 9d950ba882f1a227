package dev.pgcorral.lock.pool;

import java.time.Instant;
import java.util.List;

/**
 * A consistent snapshot of the pool, as shown on {@code /topic/status} and {@code GET /api/v1/status}.
 * It holds no secrets and no lease ids (those are capabilities of their holders).
 */
public record PoolStatus(
        String status,
        String runtime,
        String postgresVersion,
        String templateHash,
        int autoUnlockMinutes,
        Counts counts,
        Stats stats,
        List<Instance> instances,
        List<Database> databases,
        List<Waiter> waiters,
        Instant at) {

    public record Counts(int total, int free, int locked, int resetting, int quarantined, int unavailable, int waiting) {
    }

    /** Totals since start and recent lock wait percentiles, for charts. */
    public record Stats(long grants, double waitP50Ms, double waitP95Ms, double waitP99Ms) {
    }

    public record Instance(int index, String host, int port, boolean healthy, String templateHash, String lastError) {
    }

    public record Database(String name, int port, DatabaseState state, Instant stateSince, String marker,
                           Instant lockedAt, Instant expiresAt, Long heldSeconds, String connection, String lastError) {
    }

    public record Waiter(int position, String marker, Instant since) {
    }
}
