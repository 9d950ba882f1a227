package dev.pgcorral.lock.pool;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A request for a lease: queued first come, first served until a database is free. {@link #granted()}
 * completes with the lease, or exceptionally with {@link WaitTimeoutException} or
 * {@link PoolClosedException}, or is cancelled when abandoned.
 */
public final class Acquisition {

    private final Pool pool;
    final String marker;
    final Duration ttl;
    final long requestedAtNanos = System.nanoTime();
    final java.time.Instant requestedAt = java.time.Instant.now();
    final CompletableFuture<Lease> granted = new CompletableFuture<>();
    /** Guarded by the pool. */
    Lease lease;
    /** Guarded by the pool. */
    ScheduledFuture<?> timeout;

    Acquisition(Pool pool, String marker, Duration ttl) {
        this.pool = pool;
        this.marker = marker;
        this.ttl = ttl;
    }

    public CompletableFuture<Lease> granted() {
        return granted;
    }

    /** The requester is gone: leave the queue, or release the lease if it was granted. Idempotent. */
    public void abandon() {
        pool.abandon(this);
    }
}
