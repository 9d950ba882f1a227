package dev.pgcorral.lock.pool;

/** Why a lease ended. */
public enum LeaseEnd {
    /** The holder released it. */
    RELEASED,
    /** The holder's connection closed (pgflock: closing the /lock response is the unlock). */
    CLIENT_GONE,
    /** Its time ran out (auto-unlock). */
    EXPIRED,
    /** Someone else released it: force-unlock, by marker, all. */
    FORCE_RELEASED,
    /** The pool was restarted. */
    RESTART,
    /** Its PostgreSQL server died; the database's contents are gone. */
    INSTANCE_DOWN,
    /** lock-service is shutting down. */
    SHUTDOWN
}
