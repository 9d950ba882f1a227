package dev.pgcorral.lock.pool;

import java.time.Instant;

import dev.pgcorral.common.pg.ConnectionDetails;

/** One database of the pool. Mutable state is guarded by the {@link Pool}'s monitor. */
final class PooledDatabase {

    final InstanceSlot slot;
    final String name;
    DatabaseState state = DatabaseState.UNAVAILABLE;
    Instant stateSince = Instant.now();
    Lease lease;
    String lastError;

    PooledDatabase(InstanceSlot slot, String name) {
        this.slot = slot;
        this.name = name;
    }

    void moveTo(DatabaseState next) {
        state = next;
        stateSince = Instant.now();
    }

    int port() {
        return slot.instance.port();
    }

    ConnectionDetails clientDetails() {
        return slot.instance.clientDetails(name);
    }

    @Override
    public String toString() {
        return name + "@" + port();
    }
}
