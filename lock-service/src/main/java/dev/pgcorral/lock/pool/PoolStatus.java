package dev.pgcorral.lock.pool;

import java.time.Instant;
import java.util.List;

/**
 * A consistent snapshot of the pool, as shown on {@code /topic/status} and {@code GET /api/v1/status}.
 * It holds no secrets and no lease ids (those are capabilities of their holders).
 *
 * @param status          {@code ok}; {@code degraded} when a server is not up or the wanted template could not be
 *                        built; {@code starting}, {@code restarting} or {@code stopped}
 * @param templateHash    the template the databases are copies of
 * @param pendingTemplate the template the sources ask for while it is not in use yet, with the error of its build if
 *                        that failed; null when the template in use is the wanted one
 */
public record PoolStatus(
        String status,
        String runtime,
        String postgresVersion,
        String templateHash,
        PendingTemplate pendingTemplate,
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

    /** A template wanted but not in use: being built, or its build failed with {@code error}. */
    public record PendingTemplate(String hash, String error) {
    }

    /** @param state {@code UP}, {@code STARTING} or {@code DOWN} */
    public record Instance(int index, String host, int port, String state, boolean healthy, String templateHash,
                           String lastError) {
    }

    public record Database(String name, int port, DatabaseState state, Instant stateSince, String marker,
                           Instant lockedAt, Instant expiresAt, Long heldSeconds, String connection, String lastError) {
    }

    public record Waiter(int position, String marker, Instant since) {
    }
}
