package dev.pgcorral.lock.pool;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.Databases;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.runtime.PostgresInstance;
import dev.pgcorral.lock.template.TemplateBuilder;

/**
 * Resets the databases of one server (drop, create from the template) on its own workers, several at
 * once. Any failure quarantines the database and retries with back-off; work for a generation the
 * database has left is skipped. Resets take the server's lock shared, so they never overlap its
 * start-up or a template rebuild.
 */
final class Resetter {

    private static final Logger log = LoggerFactory.getLogger(Resetter.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    private final PostgresInstance instance;
    private final AdminConnections admins;
    private final ReadWriteLock serverLock;
    private final LeaseLedger ledger;
    private final PoolMetrics metrics;
    private final ScheduledExecutorService timers;
    private final LockProperties.ResetStrategy strategy;
    private final ExecutorService workers;

    Resetter(PostgresInstance instance, AdminConnections admins, ReadWriteLock serverLock, LeaseLedger ledger,
             PoolMetrics metrics, ScheduledExecutorService timers, LockProperties properties) {
        this.instance = instance;
        this.admins = admins;
        this.serverLock = serverLock;
        this.ledger = ledger;
        this.metrics = metrics;
        this.timers = timers;
        this.strategy = properties.resetStrategy();
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(properties.effectiveResetParallelism(), r -> {
            Thread t = new Thread(r, "pool-reset-" + instance.index() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a reset of {@code db} for {@code generation}. */
    void reset(PooledDatabase db, long generation) {
        submit(db, generation, 0);
    }

    /** Drops and re-creates {@code name} from the template; the caller holds the server's lock. */
    void recreate(String name) throws SQLException {
        admins.with(admin -> {
            try (Statement st = admin.createStatement()) {
                Databases.dropForcibly(st, name, instance.majorVersion());
                String copy = instance.majorVersion() >= 15 ? " STRATEGY " + strategy.name() : "";
                st.execute("CREATE DATABASE " + Identifiers.quote(name) + " TEMPLATE "
                        + Identifiers.quote(TemplateBuilder.TEMPLATE) + copy);
            }
            return null;
        });
    }

    void close() {
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(PooledDatabase db, long generation, int attempt) {
        try {
            workers.execute(() -> run(db, generation, attempt));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // lock-service is shutting down
        }
    }

    private void run(PooledDatabase db, long generation, int attempt) {
        long started = System.nanoTime();
        String failure = null;
        serverLock.readLock().lock();
        try {
            if (!ledger.current(db, generation)) {
                return;
            }
            recreate(db.name);
            metrics.resetTook(System.nanoTime() - started);
        } catch (SQLException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            serverLock.readLock().unlock();
        }
        if (failure == null) {
            ledger.resetSucceeded(db, generation);
            return;
        }
        metrics.resetFailed();
        OptionalLong retry = ledger.resetFailed(db, generation, failure);
        if (retry.isPresent()) {
            long delay = Math.min(MAX_RETRY_DELAY.toMillis(), 250L << Math.min(attempt, 10));
            log.warn("reset of {} failed (attempt {}), quarantined and retried in {} ms: {}", db, attempt + 1, delay, failure);
            try {
                timers.schedule(() -> submit(db, retry.getAsLong(), attempt + 1), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // lock-service is shutting down
            }
        }
    }
}
