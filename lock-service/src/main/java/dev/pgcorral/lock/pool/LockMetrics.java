package dev.pgcorral.lock.pool;

/** Names of lock-service's meters, all in one place. */
public final class LockMetrics {

    /** Timer: from a lock request to its lease. */
    public static final String WAIT = "pgcorral.lock.wait";
    /** Timer: one drop + create from the template. */
    public static final String RESET = "pgcorral.lock.reset";
    /** Gauge, tag {@code state}: databases per state. */
    public static final String DATABASES = "pgcorral.lock.databases";
    /** Gauge: requests waiting for a database. */
    public static final String WAITING = "pgcorral.lock.waiting";
    /** Counter: leases granted. */
    public static final String GRANTS = "pgcorral.lock.grants";
    /** Counter, tag {@code reason}: leases ended. */
    public static final String ENDS = "pgcorral.lock.ends";
    /** Counter: failed resets. */
    public static final String RESET_FAILURES = "pgcorral.lock.reset.failures";

    private LockMetrics() {
    }
}
