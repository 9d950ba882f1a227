package dev.pgcorral.lock.pool;

import java.time.Instant;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.lock.runtime.PostgresInstance;

/** One database of the pool. Mutable state is guarded by the {@link LeaseLedger}'s monitor and changed only by it. */
final class PooledDatabase {

    final PostgresInstance instance;
    final String name;
    DatabaseState state = DatabaseState.UNAVAILABLE;
    Instant stateSince;
    /** Bumped on every change of state: background work for an older generation is stale and does nothing. */
    long generation;
    Lease lease;
    String lastError;

    PooledDatabase(PostgresInstance instance, String name, Instant now) {
        this.instance = instance;
        this.name = name;
        this.stateSince = now;
    }

    int port() {
        return instance.port();
    }

    ConnectionDetails clientDetails() {
        return instance.clientDetails(name);
    }

    @Override
    public String toString() {
        return name + "@" + port();
    }
}
