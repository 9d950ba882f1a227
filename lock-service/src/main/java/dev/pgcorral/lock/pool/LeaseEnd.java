package dev.pgcorral.lock.pool;

/** Why a lease ended, with words for its holder. */
public enum LeaseEnd {
    RELEASED("it was released"),
    CLIENT_GONE("its holder's connection closed"),
    EXPIRED("its time ran out (auto-unlock); extend a lease to keep it longer"),
    FORCE_RELEASED("it was force-released"),
    RESTART("the pool was restarted"),
    INSTANCE_DOWN("its PostgreSQL server died; the database's contents are gone"),
    SHUTDOWN("lock-service shut down");

    private final String description;

    LeaseEnd(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
