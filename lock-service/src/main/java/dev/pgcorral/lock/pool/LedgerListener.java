package dev.pgcorral.lock.pool;

/**
 * What the {@link LeaseLedger} asks of the rest of the pool. Called under the ledger's monitor except
 * {@link #changed()}: implementations must return at once (queue work, record a metric).
 */
interface LedgerListener {

    /** {@code database} must be reset from the template; {@code generation} identifies this request. */
    void resetNeeded(PooledDatabase database, long generation);

    /** Call {@link LeaseLedger#tick()} at or after this {@link PoolClock#nanos()} value. */
    void wakeAt(long nanos);

    /** A lease was granted after {@code waitedNanos} in the queue. */
    void granted(long waitedNanos);

    /** A lease ended. */
    void ended(LeaseEnd reason);

    /** What the pool's status shows has changed; called outside the monitor. */
    void changed();
}
