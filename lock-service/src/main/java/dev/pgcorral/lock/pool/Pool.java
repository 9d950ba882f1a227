package dev.pgcorral.lock.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.Databases;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.runtime.PostgresInstance;
import dev.pgcorral.lock.runtime.PostgresRuntime;
import dev.pgcorral.lock.template.TemplateBuilder;
import dev.pgcorral.lock.template.TemplateSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

/**
 * The pool of throwaway databases. A database is reset after it is released, in the background
 * (drop, create from the template), so a lock hands out a database that is already clean. Requests
 * are served first come, first served. A database whose reset failed is quarantined and retried,
 * never handed out. A database is held by at most one lease: every state change happens under this
 * object's monitor, and all I/O happens outside it, on the instance's worker thread.
 */
public final class Pool {

    private static final Logger log = LoggerFactory.getLogger(Pool.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);
    private static final String REBUILD_FAILED = "template rebuild failed: ";

    private final LockProperties properties;
    private final PostgresRuntime runtime;
    private final TemplateSpec templateSpec;
    private final TemplateBuilder templateBuilder;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "pool-timers");
        t.setDaemon(true);
        return t;
    });
    private final Timer waitTimer;
    private final Timer resetTimer;
    private final Counter grants;
    private final Counter resetFailures;
    private final MeterRegistry registry;
    private final AtomicBoolean restarting = new AtomicBoolean();

    private final List<InstanceSlot> slots = new ArrayList<>();
    private final Deque<PooledDatabase> free = new ArrayDeque<>();
    private final Deque<Acquisition> waiters = new ArrayDeque<>();
    private final Map<String, Lease> leases = new HashMap<>();
    /** Why recently ended leases ended, so their holders get a clear answer. */
    private final Map<String, LeaseEnd> endedLeases = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LeaseEnd> eldest) {
            return size() > 10_000;
        }
    };
    private volatile String templateHash;
    private volatile String phase = "starting";
    private volatile Runnable changeListener = () -> { };
    private boolean closed;
    /** The last failure to hash the template sources, logged once. */
    private volatile String hashProblem;

    public Pool(LockProperties properties, PostgresRuntime runtime, MeterRegistry registry) {
        this.properties = properties;
        this.runtime = runtime;
        this.registry = registry;
        this.templateSpec = TemplateSpec.of(properties.template());
        this.templateBuilder = new TemplateBuilder(templateSpec);
        this.waitTimer = Timer.builder(LockMetrics.WAIT).description("time from a lock request to its lease")
                .publishPercentiles(0.5, 0.95, 0.99).publishPercentileHistogram()
                .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        this.resetTimer = Timer.builder(LockMetrics.RESET).description("drop and re-create of a database from the template")
                .publishPercentiles(0.5, 0.95, 0.99).publishPercentileHistogram().register(registry);
        this.grants = Counter.builder(LockMetrics.GRANTS).description("leases granted").register(registry);
        this.resetFailures = Counter.builder(LockMetrics.RESET_FAILURES).description("failed resets").register(registry);
        for (DatabaseState state : DatabaseState.values()) {
            Gauge.builder(LockMetrics.DATABASES, this, pool -> pool.count(state))
                    .tag("state", state.name().toLowerCase()).description("databases per state").register(registry);
        }
        Gauge.builder(LockMetrics.WAITING, this, pool -> pool.waitingCount()).description("requests waiting").register(registry);
    }

    /** Called after every change of what {@link #status()} shows. */
    public void onChange(Runnable listener) {
        this.changeListener = listener;
    }

    /** Starts every instance, builds its template and its databases; returns when all are free. */
    public void start() {
        List<PostgresInstance> instances = runtime.create(properties.instances());
        templateHash = templateSpec.hash();
        synchronized (this) {
            for (PostgresInstance instance : instances) {
                InstanceSlot slot = new InstanceSlot(instance, properties.databasePrefix(), properties.databasesPerInstance(),
                        properties.effectiveResetParallelism());
                slots.add(slot);
                instance.onUnexpectedExit(() -> instanceDied(slot));
            }
        }
        List<String> failures = bringUpAll(false);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the pool could not start: " + String.join("; ", failures));
        }
        phase = "ready";
        Duration watch = properties.template().watchInterval();
        if (!watch.isZero() && !watch.isNegative()) {
            timers.scheduleWithFixedDelay(this::checkTemplate, watch.toMillis(), watch.toMillis(), TimeUnit.MILLISECONDS);
        }
        changed();
    }

    /**
     * Asks for a database. Served at once when one is free and nobody waits, else queued.
     *
     * @param maxWait zero or negative waits until served or abandoned
     */
    public Acquisition acquire(String marker, Duration ttl, Duration maxWait) {
        Acquisition request = new Acquisition(this, marker, ttl);
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                request.granted.completeExceptionally(new PoolClosedException());
                return request;
            }
            if (waiters.isEmpty() && !free.isEmpty()) {
                grant(request, free.poll(), effects);
            } else {
                waiters.add(request);
                if (maxWait != null && maxWait.toMillis() > 0) {
                    request.timeout = timers.schedule(() -> timeOut(request, maxWait), maxWait.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
        finish(effects);
        return request;
    }

    /** Ends the lease (if still active) and resets its database in the background. */
    public boolean release(Lease lease, LeaseEnd reason) {
        List<Runnable> effects = new ArrayList<>();
        boolean released;
        synchronized (this) {
            released = end(lease, reason, effects);
        }
        finish(effects);
        return released;
    }

    public synchronized Optional<Lease> lease(String id) {
        return Optional.ofNullable(leases.get(id));
    }

    /** Why the lease {@code id} ended, if it did recently. */
    public synchronized Optional<LeaseEnd> endOf(String id) {
        return Optional.ofNullable(endedLeases.get(id));
    }

    /** Moves the lease's expiry to now + ttl. */
    public Optional<Lease> extend(String id, Duration ttl) {
        synchronized (this) {
            Lease lease = leases.get(id);
            if (lease == null) {
                return Optional.empty();
            }
            lease.expiry.cancel(false);
            lease.expiresAt(Instant.now().plus(ttl));
            lease.expiry = timers.schedule(() -> expireIfDue(lease), ttl.toMillis(), TimeUnit.MILLISECONDS);
        }
        changed();
        return lease(id);
    }

    public enum ReleaseResult { RELEASED, NOT_LOCKED, NO_SUCH_DATABASE }

    /** Releases whatever lease holds the database {@code name} on {@code port}. */
    public ReleaseResult releaseDatabase(int port, String name, LeaseEnd reason) {
        Lease lease;
        synchronized (this) {
            Optional<PooledDatabase> db = slots.stream().flatMap(s -> s.databases.stream())
                    .filter(d -> d.port() == port && d.name.equals(name)).findFirst();
            if (db.isEmpty()) {
                return ReleaseResult.NO_SUCH_DATABASE;
            }
            lease = db.get().lease;
            if (lease == null) {
                return ReleaseResult.NOT_LOCKED;
            }
        }
        return release(lease, reason) ? ReleaseResult.RELEASED : ReleaseResult.NOT_LOCKED;
    }

    /** Releases every lease whose marker is {@code marker}; returns how many. */
    public int releaseByMarker(String marker) {
        List<Lease> matching;
        synchronized (this) {
            matching = leases.values().stream().filter(l -> l.marker().equals(marker)).toList();
        }
        return (int) matching.stream().filter(l -> release(l, LeaseEnd.FORCE_RELEASED)).count();
    }

    /** Releases every lease; returns how many. */
    public int releaseAll() {
        List<Lease> all;
        synchronized (this) {
            all = List.copyOf(leases.values());
        }
        return (int) all.stream().filter(l -> release(l, LeaseEnd.FORCE_RELEASED)).count();
    }

    /**
     * Ends every lease, restarts every server, rebuilds the templates (re-reading the migrations) and the
     * databases. Blocks until done. Waiting requests stay queued and are served afterwards.
     *
     * @throws RestartException when a restart is already running, or when it failed
     */
    public void restart() {
        if (!restarting.compareAndSet(false, true)) {
            throw new RestartException("a restart is already in progress", true);
        }
        try {
            String hash;
            try {
                hash = templateSpec.hash();
            } catch (RuntimeException e) {
                throw new RestartException("cannot read the template sources, nothing was restarted: " + e.getMessage(), false);
            }
            List<Runnable> effects = new ArrayList<>();
            synchronized (this) {
                if (closed) {
                    throw new RestartException("lock-service is shutting down", false);
                }
                phase = "restarting";
                for (InstanceSlot slot : slots) {
                    takeDown(slot, LeaseEnd.RESTART, effects);
                }
            }
            finish(effects);
            log.info("restarting the pool: {} instance(s)", slots.size());
            templateHash = hash;
            List<String> failures = bringUpAll(true);
            phase = failures.isEmpty() ? "ready" : "degraded";
            changed();
            if (!failures.isEmpty()) {
                throw new RestartException(String.join("; ", failures), false);
            }
            log.info("pool restarted");
        } finally {
            restarting.set(false);
        }
    }

    /** Whether every server is running. */
    public synchronized boolean healthy() {
        return !slots.isEmpty() && slots.stream().allMatch(s -> s.instance.isAlive());
    }

    public String templateHash() {
        return templateHash;
    }

    /** Ends every lease, fails every waiter, stops every server. */
    public void close() {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            phase = "stopped";
            for (Lease lease : List.copyOf(leases.values())) {
                end(lease, LeaseEnd.SHUTDOWN, effects);
            }
            for (Acquisition waiter : waiters) {
                effects.add(() -> waiter.granted.completeExceptionally(new PoolClosedException()));
            }
            waiters.clear();
            free.clear();
        }
        finish(effects);
        timers.shutdownNow();
        for (InstanceSlot slot : slots) {
            slot.worker.shutdownNow();
            try {
                slot.worker.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slot.closeAdmins();
            slot.instance.shutdown();
        }
    }

    public PoolStatus status() {
        PoolStatus.Stats stats = stats();
        synchronized (this) {
            return status(stats);
        }
    }

    /** Under the monitor; the timer's percentiles are computed before, outside it, as they are not cheap. */
    private PoolStatus status(PoolStatus.Stats stats) {
        Instant now = Instant.now();
        List<PoolStatus.Database> databases = new ArrayList<>();
        List<PoolStatus.Instance> instances = new ArrayList<>();
        for (InstanceSlot slot : slots) {
            boolean alive = slot.instance.isAlive();
            instances.add(new PoolStatus.Instance(slot.instance.index(), slot.instance.clientDetails("postgres").host(),
                    slot.instance.port(), alive, slot.templateHash, slot.lastError));
            for (PooledDatabase db : slot.databases) {
                Lease lease = db.lease;
                databases.add(new PoolStatus.Database(db.name, db.port(), db.state, db.stateSince,
                        lease == null ? null : lease.marker(), lease == null ? null : lease.grantedAt(),
                        lease == null ? null : lease.expiresAt(),
                        lease == null ? null : Duration.between(lease.grantedAt(), now).toSeconds(),
                        db.clientDetails().redacted(), db.lastError));
            }
        }
        List<PoolStatus.Waiter> queue = new ArrayList<>();
        int position = 1;
        for (Acquisition waiter : waiters) {
            queue.add(new PoolStatus.Waiter(position++, waiter.marker, waiter.requestedAt));
        }
        Map<DatabaseState, Integer> byState = new java.util.EnumMap<>(DatabaseState.class);
        databases.forEach(db -> byState.merge(db.state(), 1, Integer::sum));
        PoolStatus.Counts counts = new PoolStatus.Counts(databases.size(), byState.getOrDefault(DatabaseState.FREE, 0),
                byState.getOrDefault(DatabaseState.LOCKED, 0), byState.getOrDefault(DatabaseState.RESETTING, 0),
                byState.getOrDefault(DatabaseState.QUARANTINED, 0), byState.getOrDefault(DatabaseState.UNAVAILABLE, 0),
                waiters.size());
        String status = "ready".equals(phase) && !instances.isEmpty() && instances.stream().allMatch(PoolStatus.Instance::healthy)
                ? "ok" : "ready".equals(phase) ? "degraded" : phase;
        String version = slots.isEmpty() ? null : slots.get(0).instance.version();
        return new PoolStatus(status, runtime.type(), version, templateHash, properties.autoUnlockMinutes(), counts,
                stats, instances, databases, queue, now);
    }

    /** Leases held now, longest held first. */
    public synchronized List<Lease> leases() {
        return leases.values().stream().sorted(Comparator.comparing(Lease::grantedAt)).toList();
    }

    synchronized int count(DatabaseState state) {
        int n = 0;
        for (InstanceSlot slot : slots) {
            for (PooledDatabase db : slot.databases) {
                if (db.state == state) {
                    n++;
                }
            }
        }
        return n;
    }

    synchronized int waitingCount() {
        return waiters.size();
    }

    void abandon(Acquisition request) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (request.lease != null) {
                end(request.lease, LeaseEnd.CLIENT_GONE, effects);
            } else if (waiters.remove(request)) {
                if (request.timeout != null) {
                    request.timeout.cancel(false);
                }
                effects.add(() -> request.granted.cancel(false));
            }
        }
        finish(effects);
    }

    // ---- under the monitor ----

    private void grant(Acquisition request, PooledDatabase db, List<Runnable> effects) {
        Instant now = Instant.now();
        Lease lease = new Lease(UUID.randomUUID().toString(), request.marker, db, now, now.plus(request.ttl));
        db.moveTo(DatabaseState.LOCKED);
        db.lease = lease;
        leases.put(lease.id(), lease);
        request.lease = lease;
        if (request.timeout != null) {
            request.timeout.cancel(false);
        }
        lease.expiry = timers.schedule(() -> expireIfDue(lease), request.ttl.toMillis(), TimeUnit.MILLISECONDS);
        waitTimer.record(System.nanoTime() - request.requestedAtNanos, TimeUnit.NANOSECONDS);
        grants.increment();
        effects.add(() -> request.granted.complete(lease));
    }

    private boolean end(Lease lease, LeaseEnd reason, List<Runnable> effects) {
        if (lease.end != null) {
            return false;
        }
        lease.end = reason;
        leases.remove(lease.id());
        endedLeases.put(lease.id(), reason);
        if (lease.expiry != null) {
            lease.expiry.cancel(false);
        }
        PooledDatabase db = lease.database();
        db.lease = null;
        registry.counter(LockMetrics.ENDS, "reason", reason.name().toLowerCase()).increment();
        if (reason != LeaseEnd.RESTART && reason != LeaseEnd.INSTANCE_DOWN && reason != LeaseEnd.SHUTDOWN) {
            db.moveTo(DatabaseState.RESETTING);
            scheduleReset(db, db.slot.epoch, 0);
        }
        log.debug("lease {} of {} for '{}' ended: {}", lease.id(), db, lease.marker(), reason);
        effects.add(() -> lease.ended().complete(reason));
        return true;
    }

    /** The expiry timer fired; an extension that raced with it wins. */
    private void expireIfDue(Lease lease) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (lease.expiresAt().isAfter(Instant.now())) {
                return;
            }
            end(lease, LeaseEnd.EXPIRED, effects);
        }
        finish(effects);
    }

    private void dispatch(List<Runnable> effects) {
        while (!waiters.isEmpty() && !free.isEmpty()) {
            grant(waiters.poll(), free.poll(), effects);
        }
    }

    /** The server of this slot goes away: its leases end, its databases are unavailable. */
    private void takeDown(InstanceSlot slot, LeaseEnd reason, List<Runnable> effects) {
        slot.epoch++;
        for (PooledDatabase db : slot.databases) {
            if (db.lease != null) {
                end(db.lease, reason, effects);
            }
            free.remove(db);
            db.moveTo(DatabaseState.UNAVAILABLE);
        }
    }

    private void timeOut(Acquisition request, Duration waited) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (!waiters.remove(request)) {
                return;
            }
            int total = slots.stream().mapToInt(s -> s.databases.size()).sum();
            effects.add(() -> request.granted.completeExceptionally(new WaitTimeoutException(waited, total)));
        }
        finish(effects);
    }

    // ---- background work on the instance workers ----

    private void scheduleReset(PooledDatabase db, int epoch, int attempt) {
        Runnable task = () -> db.slot.worker.execute(() -> reset(db, epoch, attempt));
        if (attempt == 0) {
            task.run();
        } else {
            long delay = Math.min(MAX_RETRY_DELAY.toMillis(), 250L << Math.min(attempt, 10));
            timers.schedule(task, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void reset(PooledDatabase db, int epoch, int attempt) {
        long started = System.nanoTime();
        SQLException failure = null;
        db.slot.exclusive.readLock().lock();
        try {
            synchronized (this) {
                if (db.slot.epoch != epoch || closed) {
                    return;
                }
            }
            recreate(db.slot, db.name);
            resetTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        } catch (SQLException e) {
            failure = e;
            resetFailures.increment();
        } finally {
            db.slot.exclusive.readLock().unlock();
        }
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (db.slot.epoch != epoch || closed) {
                return;
            }
            if (failure == null) {
                db.lastError = null;
                db.moveTo(DatabaseState.FREE);
                free.add(db);
                dispatch(effects);
            } else {
                db.lastError = failure.getMessage();
                db.moveTo(DatabaseState.QUARANTINED);
                log.warn("reset of {} failed (attempt {}), quarantined and retried: {}", db, attempt + 1, failure.getMessage());
                scheduleReset(db, epoch, attempt + 1);
            }
        }
        finish(effects);
    }

    private void recreate(InstanceSlot slot, String name) throws SQLException {
        PostgresInstance instance = slot.instance;
        String quoted = Identifiers.quote(name);
        slot.withAdmin(admin -> {
            recreate(instance, admin, quoted, name);
            return null;
        });
    }

    private void recreate(PostgresInstance instance, Connection admin, String quoted, String name) throws SQLException {
        try (Statement st = admin.createStatement()) {
            Databases.dropForcibly(st, name, instance.majorVersion());
            String strategy = instance.majorVersion() >= 15 ? " STRATEGY " + properties.resetStrategy().name() : "";
            st.execute("CREATE DATABASE " + quoted + " TEMPLATE " + Identifiers.quote(TemplateBuilder.TEMPLATE) + strategy);
        }
    }

    /** (Re)starts every slot's server and databases in parallel; returns the failures. */
    private List<String> bringUpAll(boolean stopFirst) {
        Map<InstanceSlot, Future<?>> started = new HashMap<>();
        for (InstanceSlot slot : slots) {
            int epoch = epochOf(slot);
            started.put(slot, slot.worker.submit(() -> {
                if (stopFirst) {
                    slot.exclusive.writeLock().lock();
                    try {
                        slot.closeAdmins();
                        slot.instance.stop();
                    } finally {
                        slot.exclusive.writeLock().unlock();
                    }
                }
                bringUp(slot, epoch);
                return null;
            }));
        }
        List<String> failures = new ArrayList<>();
        started.forEach((slot, future) -> {
            try {
                future.get();
            } catch (ExecutionException e) {
                String message = "instance " + slot.instance.index() + ": " + e.getCause().getMessage();
                slot.lastError = message;
                failures.add(message);
                log.error("cannot bring up instance {}", slot.instance.index(), e.getCause());
                if (stopFirst) {
                    int epoch = epochOf(slot);
                    recover(slot, epoch, 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted");
            }
        });
        return failures;
    }

    /**
     * On the slot's worker: start the server, ensure the template, create every database, mark them free.
     * Work for an epoch that has passed (the slot was taken down again meanwhile) does nothing.
     */
    private void bringUp(InstanceSlot slot, int epoch) throws SQLException {
        slot.exclusive.writeLock().lock();
        try {
            if (!current(slot, epoch)) {
                return;
            }
            slot.closeAdmins();
            slot.instance.start();
            String hash = templateHash;
            slot.withAdmin(admin -> templateBuilder.ensure(slot.instance, admin, hash));
            slot.templateHash = hash;
            for (PooledDatabase db : slot.databases) {
                recreate(slot, db.name);
            }
        } finally {
            slot.exclusive.writeLock().unlock();
        }
        slot.lastError = null;
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            if (slot.epoch != epoch || closed) {
                return;
            }
            for (PooledDatabase db : slot.databases) {
                db.lastError = null;
                db.moveTo(DatabaseState.FREE);
                free.add(db);
            }
            dispatch(effects);
        }
        finish(effects);
    }

    private void instanceDied(InstanceSlot slot) {
        List<Runnable> effects = new ArrayList<>();
        int epoch;
        synchronized (this) {
            if (closed) {
                return;
            }
            takeDown(slot, LeaseEnd.INSTANCE_DOWN, effects);
            epoch = slot.epoch;
            slot.lastError = "PostgreSQL exited unexpectedly";
        }
        finish(effects);
        log.warn("instance {} (port {}) died; its leases ended, bringing it back", slot.instance.index(), slot.instance.port());
        recover(slot, epoch, 0);
    }

    private void recover(InstanceSlot slot, int epoch, int attempt) {
        slot.worker.execute(() -> {
            if (!current(slot, epoch)) {
                return;
            }
            try {
                bringUp(slot, epoch);
                log.info("instance {} is back on port {}", slot.instance.index(), slot.instance.port());
                changed();
            } catch (SQLException | RuntimeException e) {
                slot.lastError = "recovery failed: " + e.getMessage();
                log.warn("instance {} did not come back (attempt {}): {}", slot.instance.index(), attempt + 1, e.getMessage());
                slot.exclusive.writeLock().lock();
                try {
                    if (!current(slot, epoch)) {
                        return;
                    }
                    slot.closeAdmins();
                    slot.instance.stop();
                } finally {
                    slot.exclusive.writeLock().unlock();
                }
                long delay = Math.min(MAX_RETRY_DELAY.toMillis(), 500L << Math.min(attempt, 10));
                timers.schedule(() -> recover(slot, epoch, attempt + 1), delay, TimeUnit.MILLISECONDS);
            }
        });
    }

    private synchronized int epochOf(InstanceSlot slot) {
        return slot.epoch;
    }

    private synchronized boolean current(InstanceSlot slot, int epoch) {
        return slot.epoch == epoch && !closed;
    }

    /** A changed template hash rebuilds each template, then resets the free databases from it. */
    private void checkTemplate() {
        String hash;
        try {
            hash = templateSpec.hash();
            hashProblem = null;
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(hashProblem)) {
                log.warn("cannot hash the template sources (the template stays as it is): {}", e.getMessage());
                hashProblem = String.valueOf(e.getMessage());
            }
            return;
        }
        if (restarting.get()) {
            return;
        }
        if (!hash.equals(templateHash)) {
            log.info("template sources changed ({} -> {}), rebuilding", templateHash, hash);
            templateHash = hash;
            changed();
        }
        for (InstanceSlot slot : slots) {
            if (hash.equals(slot.templateHash) && slot.lastError != null && slot.lastError.startsWith(REBUILD_FAILED)) {
                slot.lastError = null; // the sources are back to what this template was built from
                changed();
            }
            if (!hash.equals(slot.templateHash) && slot.rebuildQueued.compareAndSet(false, true)) {
                int epoch = epochOf(slot);
                slot.worker.execute(() -> {
                    slot.rebuildQueued.set(false);
                    rebuildTemplate(slot, epoch, hash);
                });
            }
        }
    }

    private void rebuildTemplate(InstanceSlot slot, int epoch, String hash) {
        synchronized (this) {
            if (slot.epoch != epoch || closed || !hash.equals(templateHash)) {
                return;
            }
        }
        slot.exclusive.writeLock().lock();
        try {
            slot.withAdmin(admin -> templateBuilder.ensure(slot.instance, admin, hash));
            slot.templateHash = hash;
            slot.lastError = null;
        } catch (SQLException | RuntimeException e) {
            String error = REBUILD_FAILED + e.getMessage();
            if (!error.equals(slot.lastError)) {
                log.warn("rebuilding the template of instance {} failed; databases keep the previous one, retried at the "
                        + "next check: {}", slot.instance.index(), e.getMessage());
            }
            slot.lastError = error;
            changed();
            return;
        } finally {
            slot.exclusive.writeLock().unlock();
        }
        synchronized (this) {
            if (slot.epoch != epoch) {
                return;
            }
            for (PooledDatabase db : slot.databases) {
                if (db.state == DatabaseState.FREE) {
                    free.remove(db);
                    db.moveTo(DatabaseState.RESETTING);
                    scheduleReset(db, epoch, 0);
                }
            }
        }
        changed();
    }

    private PoolStatus.Stats stats() {
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        for (ValueAtPercentile v : waitTimer.takeSnapshot().percentileValues()) {
            double ms = v.value(TimeUnit.MILLISECONDS);
            if (v.percentile() == 0.5) {
                p50 = ms;
            } else if (v.percentile() == 0.95) {
                p95 = ms;
            } else if (v.percentile() == 0.99) {
                p99 = ms;
            }
        }
        return new PoolStatus.Stats((long) grants.count(), p50, p95, p99);
    }

    private void finish(List<Runnable> effects) {
        for (Runnable effect : effects) {
            try {
                effect.run();
            } catch (RuntimeException e) {
                log.warn("a lease callback failed: {}", e.toString());
            }
        }
        changed();
    }

    private void changed() {
        changeListener.run();
    }

    /** The server of instance {@code index} (1-based). */
    public Optional<PostgresInstance> instance(int index) {
        return index >= 1 && index <= slots.size() ? Optional.of(slots.get(index - 1).instance) : Optional.empty();
    }
}
