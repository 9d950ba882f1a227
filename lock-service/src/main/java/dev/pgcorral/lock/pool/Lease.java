package dev.pgcorral.lock.pool;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import dev.pgcorral.common.pg.ConnectionDetails;

/** Exclusive use of one database by one holder, until released, expired or ended by the pool. */
public final class Lease {

    /** The longest marker accepted, on every API; longer ones are refused with a 400. */
    public static final int MAX_MARKER_LENGTH = 1000;

    private final String id;
    private final String marker;
    private final PooledDatabase database;
    private final ConnectionDetails connection;
    private final Instant grantedAt;
    private final CompletableFuture<LeaseEnd> ended = new CompletableFuture<>();
    private volatile Instant expiresAt;
    /** On the monotonic clock. Guarded by the ledger. */
    long deadline;
    /** Guarded by the ledger. */
    LeaseEnd end;

    Lease(String id, String marker, PooledDatabase database, Instant grantedAt, Instant expiresAt, long deadline) {
        this.id = id;
        this.marker = marker;
        this.database = database;
        this.connection = database.clientDetails();
        this.grantedAt = grantedAt;
        this.expiresAt = expiresAt;
        this.deadline = deadline;
    }

    public String id() {
        return id;
    }

    public String marker() {
        return marker;
    }

    public ConnectionDetails connection() {
        return connection;
    }

    public Instant grantedAt() {
        return grantedAt;
    }

    /** When the lease ends unless extended, for display; the ledger decides on the monotonic deadline. */
    public Instant expiresAt() {
        return expiresAt;
    }

    void expiresAt(Instant at) {
        expiresAt = at;
    }

    PooledDatabase database() {
        return database;
    }

    /** Completes, with the reason, when the lease ends for any reason. */
    public CompletableFuture<LeaseEnd> ended() {
        return ended;
    }
}
