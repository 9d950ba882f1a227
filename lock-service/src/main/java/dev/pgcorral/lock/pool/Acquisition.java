package dev.pgcorral.lock.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * A request for a lease: queued first come, first served until a database is free. {@link #granted()}
 * completes with the lease, or exceptionally with {@link WaitTimeoutException} or
 * {@link PoolClosedException}, or is cancelled when abandoned.
 */
public final class Acquisition {

    private final LeaseLedger ledger;
    final String marker;
    final Duration ttl;
    final long requestedAtNanos;
    final Instant requestedAt;
    final CompletableFuture<Lease> granted = new CompletableFuture<>();
    /** Monotonic deadline of the wait; {@code Long.MAX_VALUE} waits until served. Guarded by the ledger. */
    long waitDeadline = Long.MAX_VALUE;
    /** Guarded by the ledger. */
    Lease lease;

    Acquisition(LeaseLedger ledger, String marker, Duration ttl, long requestedAtNanos, Instant requestedAt) {
        this.ledger = ledger;
        this.marker = marker;
        this.ttl = ttl;
        this.requestedAtNanos = requestedAtNanos;
        this.requestedAt = requestedAt;
    }

    public CompletableFuture<Lease> granted() {
        return granted;
    }

    /** The requester is gone: leave the queue, or release the lease if it was granted. Idempotent. */
    public void abandon() {
        ledger.abandon(this);
    }
}
