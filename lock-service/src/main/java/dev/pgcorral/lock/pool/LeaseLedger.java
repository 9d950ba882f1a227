package dev.pgcorral.lock.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * Who holds which database: the free list, the queue of waiters, the leases, and every database's
 * state. Synchronous and free of I/O: every method changes state under this object's monitor and
 * returns; callbacks to holders run after the monitor is released; background work (resets, timers)
 * is asked of the {@link LedgerListener}.
 *
 * <p>The pool's invariant holds by construction: {@link #move} is the only way a database changes
 * state, it keeps the free list equal to the set of FREE databases, and a lease is attached only to a
 * database taken off the free list. Background work carries the database's generation and is
 * ignored once the database has moved on, so a late reset or a stale server start-up cannot free a
 * database that is held.
 */
final class LeaseLedger {

    private static final int ENDED_KEPT = 10_000;

    private final PoolClock clock;
    private final LedgerListener listener;
    private final List<PooledDatabase> databases = new ArrayList<>();
    private final Deque<PooledDatabase> free = new ArrayDeque<>();
    private final Deque<Acquisition> waiters = new ArrayDeque<>();
    private final Map<String, Lease> leases = new HashMap<>();
    /** Why recently ended leases ended, so their holders get a clear answer. */
    private final Map<String, LeaseEnd> ended = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LeaseEnd> eldest) {
            return size() > ENDED_KEPT;
        }
    };
    private boolean closed;

    LeaseLedger(PoolClock clock, LedgerListener listener) {
        this.clock = clock;
        this.listener = listener;
    }

    /** Adds the databases of one server, all UNAVAILABLE until {@link #serverUp}. */
    synchronized void register(List<PooledDatabase> added) {
        databases.addAll(added);
    }

    /** Asks for a database: granted at once when one is free and nobody waits, else queued. */
    Acquisition acquire(String marker, Duration ttl, Duration maxWait) {
        return acquire(marker, ttl, (request, effects) -> enqueue(request, maxWait));
    }

    /** Asks for a database without queueing: granted at once when one is free and nobody waits, else failed at once. */
    Acquisition acquireIfFree(String marker, Duration ttl) {
        return acquire(marker, ttl, this::refuse);
    }

    /** Grants at once when a database is free and nobody waits; else hands the request to {@code noneFree}, under the monitor. */
    private Acquisition acquire(String marker, Duration ttl, BiConsumer<Acquisition, Effects> noneFree) {
        Effects effects = new Effects();
        Acquisition request;
        synchronized (this) {
            request = new Acquisition(this, marker, ttl, clock.nanos(), clock.now());
            if (closed) {
                effects.add(() -> request.granted.completeExceptionally(new PoolClosedException()));
            } else if (waiters.isEmpty() && !free.isEmpty()) {
                grant(request, free.peekFirst(), effects);
            } else {
                noneFree.accept(request, effects);
            }
        }
        return finish(effects, request);
    }

    /** Ends the lease if it is still active; its database is reset in the background. */
    boolean release(Lease lease, LeaseEnd reason) {
        Effects effects = new Effects();
        boolean released;
        synchronized (this) {
            released = end(lease, reason, effects);
        }
        return finish(effects, released);
    }

    /** The requester is gone: leave the queue, or end the lease if it was granted. */
    void abandon(Acquisition request) {
        Effects effects = new Effects();
        synchronized (this) {
            if (request.lease != null) {
                end(request.lease, LeaseEnd.CLIENT_GONE, effects);
            } else if (waiters.remove(request)) {
                effects.add(() -> request.granted.cancel(false));
            }
        }
        finish(effects, null);
    }

    synchronized Optional<Lease> lease(String id) {
        return Optional.ofNullable(leases.get(id));
    }

    synchronized Optional<LeaseEnd> endOf(String id) {
        return Optional.ofNullable(ended.get(id));
    }

    /** Leases held now, longest held first. */
    synchronized List<Lease> leases() {
        return leases.values().stream().sorted(Comparator.comparing(Lease::grantedAt)).toList();
    }

    /** Moves the lease's deadline to now + ttl. */
    Optional<Lease> extend(String id, Duration ttl) {
        Lease lease;
        synchronized (this) {
            lease = leases.get(id);
            if (lease == null) {
                return Optional.empty();
            }
            lease.deadline = clock.nanos() + ttl.toNanos();
            lease.expiresAt(clock.now().plus(ttl));
            listener.wakeAt(lease.deadline);
        }
        return Optional.of(finish(new Effects(), lease));
    }

    /** Releases whatever lease holds the database {@code name} on {@code port}. */
    Pool.ReleaseResult releaseDatabase(int port, String name, LeaseEnd reason) {
        Lease lease;
        synchronized (this) {
            Optional<PooledDatabase> db = databases.stream().filter(d -> d.port() == port && d.name.equals(name)).findFirst();
            if (db.isEmpty()) {
                return Pool.ReleaseResult.NO_SUCH_DATABASE;
            }
            lease = db.get().lease;
            if (lease == null) {
                return Pool.ReleaseResult.NOT_LOCKED;
            }
        }
        return release(lease, reason) ? Pool.ReleaseResult.RELEASED : Pool.ReleaseResult.NOT_LOCKED;
    }

    /** Ends every lease whose marker is {@code marker} (every lease when null); returns how many. */
    int releaseWhere(String marker, LeaseEnd reason) {
        Effects effects = new Effects();
        int count = 0;
        synchronized (this) {
            for (Lease lease : List.copyOf(leases.values())) {
                if ((marker == null || lease.marker().equals(marker)) && end(lease, reason, effects)) {
                    count++;
                }
            }
        }
        return finish(effects, count);
    }

    /**
     * Ends the leases that are past their deadline and the waits that are; call at the time asked by
     * {@link LedgerListener#wakeAt}. Returns the earliest deadline still ahead ({@code Long.MAX_VALUE} for none).
     */
    long tick() {
        Effects effects = new Effects();
        long next = Long.MAX_VALUE;
        synchronized (this) {
            long now = clock.nanos();
            for (Lease lease : List.copyOf(leases.values())) {
                if (lease.deadline - now <= 0) {
                    end(lease, LeaseEnd.EXPIRED, effects);
                } else {
                    next = earlier(next, lease.deadline);
                }
            }
            for (Iterator<Acquisition> it = waiters.iterator(); it.hasNext(); ) {
                Acquisition waiter = it.next();
                if (waiter.waitDeadline == Long.MAX_VALUE) {
                    continue;
                }
                if (waiter.waitDeadline - now <= 0) {
                    it.remove();
                    WaitTimeoutException timeout = new WaitTimeoutException(
                            Duration.ofNanos(waiter.waitDeadline - waiter.requestedAtNanos), databases.size(), waiters.size());
                    effects.add(() -> waiter.granted.completeExceptionally(timeout));
                } else {
                    next = earlier(next, waiter.waitDeadline);
                }
            }
        }
        return finish(effects, next);
    }

    private static long earlier(long a, long b) {
        return a == Long.MAX_VALUE || b - a < 0 ? b : a;
    }

    /** A server went away ({@code reason}: it died, or a restart): its leases end, its databases are unavailable. */
    void serverDown(List<PooledDatabase> serverDatabases, LeaseEnd reason) {
        Effects effects = new Effects();
        serverDown(serverDatabases, reason, effects);
        finish(effects, null);
    }

    /** As {@link #serverDown(List, LeaseEnd)}, leaving the holders' callbacks to the caller, to run outside its own monitor. */
    synchronized void serverDown(List<PooledDatabase> serverDatabases, LeaseEnd reason, Effects effects) {
        for (PooledDatabase db : serverDatabases) {
            if (db.lease != null) {
                end(db.lease, reason, effects);
            }
            move(db, DatabaseState.UNAVAILABLE);
        }
    }

    /** A server is up with every database freshly created: those that were UNAVAILABLE are free. No other state is touched. */
    void serverUp(List<PooledDatabase> serverDatabases) {
        Effects effects = new Effects();
        serverUp(serverDatabases, effects);
        finish(effects, null);
    }

    /** As {@link #serverUp(List)}, leaving the waiters' callbacks to the caller, to run outside its own monitor. */
    synchronized void serverUp(List<PooledDatabase> serverDatabases, Effects effects) {
        for (PooledDatabase db : serverDatabases) {
            if (!closed && db.state == DatabaseState.UNAVAILABLE) {
                db.lastError = null;
                move(db, DatabaseState.FREE);
            }
        }
        dispatch(effects);
    }

    /** The template of a server changed: its free databases are reset from the new one. */
    void refresh(List<PooledDatabase> serverDatabases) {
        synchronized (this) {
            for (PooledDatabase db : serverDatabases) {
                if (!closed && db.state == DatabaseState.FREE) {
                    toReset(db);
                }
            }
        }
        listener.changed();
    }

    /** Whether background work for {@code generation} of {@code db} is still wanted. */
    synchronized boolean current(PooledDatabase db, long generation) {
        return !closed && db.generation == generation;
    }

    /** A reset of this generation succeeded: the database is free, unless it has moved on meanwhile. */
    void resetSucceeded(PooledDatabase db, long generation) {
        Effects effects = new Effects();
        synchronized (this) {
            if (!closed && db.generation == generation && isResetting(db)) {
                db.lastError = null;
                move(db, DatabaseState.FREE);
                dispatch(effects);
            }
        }
        finish(effects, null);
    }

    /**
     * A reset of this generation failed: the database is quarantined, never handed out until a reset
     * succeeds. Returns the generation to retry with; empty when the database has moved on.
     */
    OptionalLong resetFailed(PooledDatabase db, long generation, String error) {
        OptionalLong retry = OptionalLong.empty();
        synchronized (this) {
            if (!closed && db.generation == generation && isResetting(db)) {
                db.lastError = error;
                move(db, DatabaseState.QUARANTINED);
                retry = OptionalLong.of(db.generation);
            }
        }
        listener.changed();
        return retry;
    }

    /** Ends every lease and every wait; nothing is granted afterwards. */
    void close() {
        Effects effects = new Effects();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Lease lease : List.copyOf(leases.values())) {
                end(lease, LeaseEnd.SHUTDOWN, effects);
            }
            for (Acquisition waiter : waiters) {
                effects.add(() -> waiter.granted.completeExceptionally(new PoolClosedException()));
            }
            waiters.clear();
            databases.forEach(db -> move(db, DatabaseState.UNAVAILABLE));
        }
        finish(effects, null);
    }

    /** A consistent view of every database and waiter, without secrets. */
    synchronized View view() {
        Instant now = clock.now();
        List<PoolStatus.Database> dbs = new ArrayList<>(databases.size());
        for (PooledDatabase db : databases) {
            Lease lease = db.lease;
            dbs.add(new PoolStatus.Database(db.name, db.port(), db.state, db.stateSince,
                    lease == null ? null : lease.marker(), lease == null ? null : lease.grantedAt(),
                    lease == null ? null : lease.expiresAt(),
                    lease == null ? null : Duration.between(lease.grantedAt(), now).toSeconds(),
                    db.clientDetails().redacted(), db.lastError));
        }
        List<PoolStatus.Waiter> queue = new ArrayList<>(waiters.size());
        int position = 1;
        for (Acquisition waiter : waiters) {
            queue.add(new PoolStatus.Waiter(position++, waiter.marker, waiter.requestedAt));
        }
        return new View(dbs, queue, now);
    }

    record View(List<PoolStatus.Database> databases, List<PoolStatus.Waiter> waiters, Instant at) {
    }

    synchronized int count(DatabaseState state) {
        int n = 0;
        for (PooledDatabase db : databases) {
            if (db.state == state) {
                n++;
            }
        }
        return n;
    }

    synchronized int waiting() {
        return waiters.size();
    }

    // ---- under the monitor ----

    /** The one place a database changes state; keeps {@link #free} equal to the FREE databases. */
    private void move(PooledDatabase db, DatabaseState next) {
        if (db.state == DatabaseState.FREE) {
            free.remove(db);
        }
        db.state = next;
        db.stateSince = clock.now();
        db.generation++;
        if (next == DatabaseState.FREE) {
            free.addLast(db);
        }
    }

    private void enqueue(Acquisition request, Duration maxWait) {
        waiters.add(request);
        if (maxWait != null && maxWait.toNanos() > 0) {
            request.waitDeadline = request.requestedAtNanos + maxWait.toNanos();
            listener.wakeAt(request.waitDeadline);
        }
    }

    private void refuse(Acquisition request, Effects effects) {
        WaitTimeoutException none = new WaitTimeoutException(Duration.ZERO, databases.size(), waiters.size());
        effects.add(() -> request.granted.completeExceptionally(none));
    }

    private void grant(Acquisition request, PooledDatabase db, Effects effects) {
        if (db.state != DatabaseState.FREE || db.lease != null) {
            throw new IllegalStateException("pool invariant broken: " + db + " is " + db.state + " but on the free list");
        }
        move(db, DatabaseState.LOCKED);
        long now = clock.nanos();
        Instant wall = clock.now();
        Lease lease = new Lease(UUID.randomUUID().toString(), request.marker, db, wall, wall.plus(request.ttl),
                now + request.ttl.toNanos());
        db.lease = lease;
        leases.put(lease.id(), lease);
        request.lease = lease;
        listener.wakeAt(lease.deadline);
        listener.granted(now - request.requestedAtNanos);
        effects.add(() -> request.granted.complete(lease));
    }

    /** Ends a lease; a database whose server is still there is reset, one whose server went away is left to the caller. */
    private boolean end(Lease lease, LeaseEnd reason, Effects effects) {
        if (lease.end != null) {
            return false;
        }
        lease.end = reason;
        leases.remove(lease.id());
        ended.put(lease.id(), reason);
        PooledDatabase db = lease.database();
        db.lease = null;
        listener.ended(reason);
        if (reason != LeaseEnd.RESTART && reason != LeaseEnd.INSTANCE_DOWN && reason != LeaseEnd.SHUTDOWN) {
            toReset(db);
        }
        effects.add(() -> lease.ended().complete(reason));
        return true;
    }

    private void toReset(PooledDatabase db) {
        move(db, DatabaseState.RESETTING);
        listener.resetNeeded(db, db.generation);
    }

    private void dispatch(Effects effects) {
        while (!waiters.isEmpty() && !free.isEmpty()) {
            grant(waiters.pollFirst(), free.peekFirst(), effects);
        }
    }

    private static boolean isResetting(PooledDatabase db) {
        return db.state == DatabaseState.RESETTING || db.state == DatabaseState.QUARANTINED;
    }

    private <T> T finish(Effects effects, T result) {
        effects.run();
        listener.changed();
        return result;
    }
}
