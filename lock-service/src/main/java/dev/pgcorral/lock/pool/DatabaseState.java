package dev.pgcorral.lock.pool;

/** Where a pooled database is in its life cycle. Only {@link #FREE} databases are handed out. */
public enum DatabaseState {
    /** Clean, a copy of the current template, waiting for a lease. */
    FREE,
    /** Held by exactly one lease. */
    LOCKED,
    /** Being dropped and re-created from the template, in the background. */
    RESETTING,
    /** The last reset failed; retried with back-off, never handed out meanwhile. */
    QUARANTINED,
    /** Its server is starting, restarting or down. */
    UNAVAILABLE
}
