package dev.pgcorral.lock.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.runtime.PostgresInstance;
import dev.pgcorral.lock.runtime.PostgresRuntime;
import dev.pgcorral.lock.template.TemplateBuilder;
import dev.pgcorral.lock.template.TemplateSpec;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The pool of throwaway databases, as the APIs see it. A database is reset after it is released, in
 * the background, so a lock hands out a database that is already clean; requests are served first
 * come, first served. The work is split: the {@link LeaseLedger} decides who holds what, one
 * {@link ServerSupervisor} per server keeps it running, {@link Resetter}s copy databases from the
 * template, the {@link TemplateWatcher} follows the template sources.
 */
public final class Pool {

    private static final Logger log = LoggerFactory.getLogger(Pool.class);

    public enum ReleaseResult { RELEASED, NOT_LOCKED, NO_SUCH_DATABASE }

    private final LockProperties properties;
    private final PostgresRuntime runtime;
    private final MeterRegistry registry;
    private final PoolMetrics metrics;
    private final LeaseLedger ledger;
    private final TemplateWatcher template;
    private final TemplateBuilder templateBuilder;
    private final PoolClock clock;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "pool-timers");
        t.setDaemon(true);
        return t;
    });
    /** Set once by {@link #start()}. */
    private volatile List<ServerSupervisor> servers = List.of();
    private final AtomicBoolean restarting = new AtomicBoolean();
    private volatile String phase = "starting";
    private volatile Runnable changeListener = () -> { };

    public Pool(LockProperties properties, PostgresRuntime runtime, MeterRegistry registry) {
        this(properties, runtime, registry, PoolClock.SYSTEM);
    }

    Pool(LockProperties properties, PostgresRuntime runtime, MeterRegistry registry, PoolClock clock) {
        this.properties = properties;
        this.runtime = runtime;
        this.registry = registry;
        this.clock = clock;
        this.metrics = new PoolMetrics(registry);
        this.ledger = new LeaseLedger(clock, new Events(clock));
        TemplateSpec spec = TemplateSpec.of(properties.template());
        this.template = new TemplateWatcher(spec);
        this.templateBuilder = new TemplateBuilder(spec);
    }

    /** Called after every change of what {@link #status()} shows. */
    public void onChange(Runnable listener) {
        this.changeListener = listener;
    }

    /** Starts every server, builds its template and its databases; returns when all are free. */
    public void start() {
        List<ServerSupervisor> created = new ArrayList<>();
        for (PostgresInstance instance : runtime.create(properties.instances())) {
            List<PooledDatabase> databases = new ArrayList<>();
            for (int i = 1; i <= properties.databasesPerInstance(); i++) {
                databases.add(new PooledDatabase(instance, properties.databasePrefix() + i, clock.now()));
            }
            ledger.register(databases);
            created.add(new ServerSupervisor(instance, databases, ledger, metrics, templateBuilder, template::wanted,
                    timers, properties, this::changed));
        }
        servers = List.copyOf(created);
        metrics.watch(ledger, registry);
        List<String> failures = await(servers().stream().map(ServerSupervisor::start).toList());
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the pool could not start: " + String.join("; ", failures));
        }
        phase = "ready";
        Duration watch = properties.template().watchInterval();
        if (!watch.isZero() && !watch.isNegative()) {
            timers.scheduleWithFixedDelay(() -> template.check(servers()), watch.toMillis(), watch.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        changed();
    }

    /**
     * Asks for a database. Served at once when one is free and nobody waits, else queued.
     *
     * @param maxWait zero or negative waits until served or abandoned
     */
    public Acquisition acquire(String marker, Duration ttl, Duration maxWait) {
        requireMarker(marker);
        return ledger.acquire(marker, ttl, maxWait);
    }

    /**
     * Asks for a database without queueing: served at once when one is free and nobody waits, else the
     * acquisition fails at once with {@link WaitTimeoutException}.
     */
    public Acquisition acquireIfFree(String marker, Duration ttl) {
        requireMarker(marker);
        return ledger.acquireIfFree(marker, ttl);
    }

    /** Ends the lease (if still active) and resets its database in the background. */
    public boolean release(Lease lease, LeaseEnd reason) {
        return ledger.release(lease, reason);
    }

    public Optional<Lease> lease(String id) {
        return ledger.lease(id);
    }

    /** Why the lease {@code id} ended, if it did recently. */
    public Optional<LeaseEnd> endOf(String id) {
        return ledger.endOf(id);
    }

    /** Leases held now, longest held first. */
    public List<Lease> leases() {
        return ledger.leases();
    }

    /** Moves the lease's expiry to now + ttl. */
    public Optional<Lease> extend(String id, Duration ttl) {
        return ledger.extend(id, ttl);
    }

    /** Releases whatever lease holds the database {@code name} on {@code port}. */
    public ReleaseResult releaseDatabase(int port, String name, LeaseEnd reason) {
        return ledger.releaseDatabase(port, name, reason);
    }

    /** Releases every lease whose marker is {@code marker}; returns how many. */
    public int releaseByMarker(String marker) {
        return ledger.releaseWhere(marker, LeaseEnd.FORCE_RELEASED);
    }

    /** Releases every lease; returns how many. */
    public int releaseAll() {
        return ledger.releaseWhere(null, LeaseEnd.FORCE_RELEASED);
    }

    /**
     * Ends every lease, restarts every server, rebuilds the templates (re-reading the sources first) and
     * the databases. Blocks until done. Waiting requests stay queued and are served afterwards. A server
     * that fails to come back is retried in the background.
     *
     * @throws RestartException when a restart is already running, or when it failed
     */
    public void restart() {
        if (!restarting.compareAndSet(false, true)) {
            throw new RestartException("a restart is already in progress", true);
        }
        try {
            if ("stopped".equals(phase)) {
                throw new RestartException("lock-service is shutting down", false);
            }
            try {
                template.reread();
            } catch (RuntimeException e) {
                throw new RestartException("cannot read the template sources, nothing was restarted: " + e.getMessage(), false);
            }
            phase = "restarting";
            log.info("restarting the pool: {} instance(s)", servers().size());
            List<String> failures = await(servers().stream().map(ServerSupervisor::restart).toList());
            phase = "ready";
            changed();
            if (!failures.isEmpty()) {
                throw new RestartException(String.join("; ", failures) + " (retried in the background)", false);
            }
            log.info("pool restarted");
        } finally {
            restarting.set(false);
        }
    }

    /** Whether every server is running. */
    public boolean healthy() {
        List<ServerSupervisor> all = servers();
        return !all.isEmpty() && all.stream().allMatch(ServerSupervisor::healthy);
    }

    /** The hash of the template the databases are copies of. */
    public String templateHash() {
        return template.inUse(servers());
    }

    /** Ends every lease, fails every waiter, stops every server. */
    public void close() {
        phase = "stopped";
        ledger.close();
        timers.shutdownNow();
        servers().forEach(ServerSupervisor::close);
    }

    public PoolStatus status() {
        PoolStatus.Stats stats = metrics.stats();
        LeaseLedger.View view = ledger.view();
        List<PoolStatus.Instance> instances = servers().stream().map(s -> new PoolStatus.Instance(s.instance().index(),
                s.instance().clientDetails("postgres").host(), s.instance().port(), s.state().name(), s.healthy(),
                s.templateHash(), s.lastError())).toList();
        Map<DatabaseState, Integer> byState = new EnumMap<>(DatabaseState.class);
        view.databases().forEach(db -> byState.merge(db.state(), 1, Integer::sum));
        PoolStatus.Counts counts = new PoolStatus.Counts(view.databases().size(), byState.getOrDefault(DatabaseState.FREE, 0),
                byState.getOrDefault(DatabaseState.LOCKED, 0), byState.getOrDefault(DatabaseState.RESETTING, 0),
                byState.getOrDefault(DatabaseState.QUARANTINED, 0), byState.getOrDefault(DatabaseState.UNAVAILABLE, 0),
                view.waiters().size());
        PoolStatus.PendingTemplate pending = template.pending(servers());
        boolean whole = !instances.isEmpty() && instances.stream().allMatch(PoolStatus.Instance::healthy)
                && (pending == null || pending.error() == null);
        String status = "ready".equals(phase) ? (whole ? "ok" : "degraded") : phase;
        String version = instances.isEmpty() ? null : servers().get(0).instance().version();
        return new PoolStatus(status, runtime.type(), version, template.inUse(servers()), pending,
                properties.autoUnlockMinutes(), counts, stats, instances, view.databases(), view.waiters(), view.at());
    }

    /** The server of instance {@code index} (1-based). */
    public Optional<PostgresInstance> instance(int index) {
        List<ServerSupervisor> all = servers();
        return index >= 1 && index <= all.size() ? Optional.of(all.get(index - 1).instance()) : Optional.empty();
    }

    private List<ServerSupervisor> servers() {
        return servers;
    }

    private static void requireMarker(String marker) {
        if (marker == null || marker.isEmpty() || marker.length() > Lease.MAX_MARKER_LENGTH) {
            throw new IllegalArgumentException("a marker must have 1 to " + Lease.MAX_MARKER_LENGTH + " characters");
        }
    }

    /** Waits for every future; returns the failures' messages. */
    private static List<String> await(List<CompletableFuture<Void>> futures) {
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<Void> future : futures) {
            try {
                future.get();
            } catch (ExecutionException e) {
                failures.add(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted");
            }
        }
        return failures;
    }

    private void changed() {
        changeListener.run();
    }

    /** What the ledger asks of the pool. */
    private final class Events implements LedgerListener {
        private final PoolClock clock;
        private ScheduledFuture<?> nextWake;
        private long nextWakeAt;

        Events(PoolClock clock) {
            this.clock = clock;
        }

        @Override
        public void resetNeeded(PooledDatabase database, long generation) {
            servers().get(database.instance.index() - 1).resetter().reset(database, generation);
        }

        /**
         * One timer for all deadlines: it is moved only when a sooner deadline comes, and after each tick set
         * for the next deadline the ledger reports, so released leases leave no timers behind.
         */
        @Override
        public synchronized void wakeAt(long nanos) {
            if (nextWake != null && !nextWake.isDone() && nextWakeAt - nanos <= 0) {
                return;
            }
            if (nextWake != null) {
                nextWake.cancel(false);
            }
            nextWakeAt = nanos;
            try {
                nextWake = timers.schedule(this::tick, Math.max(0, nanos - clock.nanos()), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                // shutting down: the ledger ends every lease itself
            }
        }

        private void tick() {
            synchronized (this) {
                nextWake = null;
            }
            long next = ledger.tick();
            if (next != Long.MAX_VALUE) {
                wakeAt(next);
            }
        }

        @Override
        public void granted(long waitedNanos) {
            metrics.granted(waitedNanos);
        }

        @Override
        public void ended(LeaseEnd reason) {
            metrics.ended(reason);
        }

        @Override
        public void changed() {
            Pool.this.changed();
        }
    }
}
