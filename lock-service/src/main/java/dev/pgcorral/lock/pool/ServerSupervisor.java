package dev.pgcorral.lock.pool;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.runtime.PostgresInstance;
import dev.pgcorral.lock.template.TemplateBuilder;

/**
 * Keeps one PostgreSQL server of the pool running: a single-flight state machine DOWN → STARTING → UP.
 * Every start-up attempt runs on this server's one control thread, so two never overlap; each belongs
 * to an epoch, and a death, a restart or a shutdown moves to a new epoch, so an attempt that has been
 * overtaken frees nothing. A failed attempt is retried with back-off until one succeeds. Template
 * rebuilds run on the same thread.
 */
final class ServerSupervisor {

    enum State { DOWN, STARTING, UP, CLOSED }

    private static final Logger log = LoggerFactory.getLogger(ServerSupervisor.class);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    private final PostgresInstance instance;
    private final List<PooledDatabase> databases;
    private final LeaseLedger ledger;
    private final AdminConnections admins;
    private final ReadWriteLock serverLock = new ReentrantReadWriteLock(true);
    private final Resetter resetter;
    private final TemplateBuilder templateBuilder;
    private final Supplier<String> wantedTemplate;
    private final ScheduledExecutorService timers;
    private final Runnable changed;
    private final ExecutorService control;

    // guarded by this
    private State state = State.DOWN;
    private int epoch;
    private boolean diedWhileStarting;
    private int failures;
    private ScheduledFuture<?> pendingAttempt;
    private final List<CompletableFuture<Void>> waitingForUp = new ArrayList<>();
    private volatile String lastError;
    /** Whether an attempt has run; only on the control thread. */
    private boolean startedBefore;
    private volatile String templateHash;
    private volatile String templateError;
    /** The wanted template hash whose build failed; not tried again until the sources change. */
    private volatile String failedTemplate;

    ServerSupervisor(PostgresInstance instance, List<PooledDatabase> databases, LeaseLedger ledger, PoolMetrics metrics,
                     TemplateBuilder templateBuilder, Supplier<String> wantedTemplate, ScheduledExecutorService timers,
                     dev.pgcorral.lock.LockProperties properties, Runnable changed) {
        this.instance = instance;
        this.databases = List.copyOf(databases);
        this.ledger = ledger;
        this.admins = new AdminConnections(instance);
        this.resetter = new Resetter(instance, admins, serverLock, ledger, metrics, timers, properties);
        this.templateBuilder = templateBuilder;
        this.wantedTemplate = wantedTemplate;
        this.timers = timers;
        this.changed = changed;
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pool-server-" + instance.index());
            t.setDaemon(true);
            return t;
        });
        instance.onUnexpectedExit(this::died);
    }

    PostgresInstance instance() {
        return instance;
    }

    Resetter resetter() {
        return resetter;
    }

    synchronized State state() {
        return state;
    }

    boolean healthy() {
        return state() == State.UP && instance.isAlive();
    }

    String lastError() {
        return lastError;
    }

    /** The hash of the template the server's databases are copies of; null before the first start. */
    String templateHash() {
        return templateHash;
    }

    /** Why the last template rebuild failed while the server kept its previous template; null when none did. */
    String templateError() {
        return templateError;
    }

    /** Starts the server; completes when it is up, or exceptionally when this attempt failed (it is retried). */
    CompletableFuture<Void> start() {
        CompletableFuture<Void> up = new CompletableFuture<>();
        synchronized (this) {
            waitingForUp.add(up);
            scheduleAttempt(0);
        }
        return up;
    }

    /**
     * Ends the server's leases and starts it again with the wanted template; completes when it is up,
     * or exceptionally when that attempt failed (it is retried in the background).
     */
    CompletableFuture<Void> restart() {
        CompletableFuture<Void> up = new CompletableFuture<>();
        Effects effects = new Effects();
        synchronized (this) {
            if (state == State.CLOSED) {
                up.completeExceptionally(new IllegalStateException("lock-service is shutting down"));
                return up;
            }
            newEpoch(State.DOWN, LeaseEnd.RESTART, effects);
            waitingForUp.add(up);
            scheduleAttempt(0);
        }
        effects.run();
        changed.run();
        return up;
    }

    /** The server exited without being asked to. */
    void died() {
        Effects effects = new Effects();
        synchronized (this) {
            switch (state) {
                case UP -> {
                    lastError = "PostgreSQL exited unexpectedly";
                    log.warn("instance {} (port {}) died; its leases ended, bringing it back", instance.index(), instance.port());
                    newEpoch(State.DOWN, LeaseEnd.INSTANCE_DOWN, effects);
                    scheduleAttempt(0);
                }
                case STARTING -> diedWhileStarting = true;
                default -> {
                    // DOWN: an attempt is already scheduled; CLOSED: nothing to do
                }
            }
        }
        effects.run();
        changed.run();
    }

    /** Rebuilds the template if the wanted one differs, then resets the free databases from it. */
    void refreshTemplate() {
        try {
            control.execute(this::rebuildTemplate);
        } catch (RejectedExecutionException closing) {
            // shutting down
        }
    }

    /** Stops the server for good: leases are ended by the ledger's close, attempts stop. */
    void close() {
        synchronized (this) {
            state = State.CLOSED;
            epoch++;
            if (pendingAttempt != null) {
                pendingAttempt.cancel(false);
            }
            waitingForUp.forEach(f -> f.completeExceptionally(new IllegalStateException("lock-service is shutting down")));
            waitingForUp.clear();
        }
        control.shutdownNow();
        try {
            control.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resetter.close();
        admins.closeAll();
        instance.shutdown();
    }

    // ---- guarded by this ----

    /** The ledger changes here, under this monitor, so no attempt of an older epoch can slip between; its callbacks run after. */
    private void newEpoch(State next, LeaseEnd reason, Effects effects) {
        epoch++;
        state = next;
        ledger.serverDown(databases, reason, effects);
    }

    /** At most one attempt is pending; a sooner one replaces a later one. */
    private void scheduleAttempt(long delayMillis) {
        if (state == State.CLOSED) {
            return;
        }
        if (pendingAttempt != null && !pendingAttempt.isDone()) {
            if (pendingAttempt.getDelay(TimeUnit.MILLISECONDS) <= delayMillis || !pendingAttempt.cancel(false)) {
                return;
            }
        }
        pendingAttempt = timers.schedule(() -> {
            try {
                control.execute(this::attempt);
            } catch (RejectedExecutionException closing) {
                // shutting down
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    // ---- on the control thread ----

    private void attempt() {
        int attemptEpoch;
        synchronized (this) {
            if (state == State.CLOSED || state == State.UP) {
                return;
            }
            attemptEpoch = epoch;
            state = State.STARTING;
            diedWhileStarting = false;
        }
        changed.run();
        String failure = null;
        try {
            bringUp();
        } catch (SQLException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        List<CompletableFuture<Void>> answered;
        Effects effects = new Effects();
        synchronized (this) {
            if (state == State.CLOSED || epoch != attemptEpoch) {
                // overtaken by a restart or shutdown, which scheduled what comes next
                return;
            }
            if (failure == null && (diedWhileStarting || !instance.isAlive())) {
                failure = "PostgreSQL died while starting";
            }
            if (failure == null) {
                state = State.UP;
                failures = 0;
                lastError = null;
                ledger.serverUp(databases, effects);
            } else {
                state = State.DOWN;
                failures++;
                lastError = "start failed: " + failure;
                long delay = Math.min(MAX_RETRY_DELAY.toMillis(), 500L << Math.min(failures - 1, 10));
                log.warn("instance {} did not come up (attempt {}), retrying in {} ms: {}", instance.index(), failures, delay, failure);
                scheduleAttempt(delay);
            }
            answered = List.copyOf(waitingForUp);
            waitingForUp.clear();
        }
        effects.run();
        String error = failure;
        answered.forEach(f -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(new IllegalStateException("instance " + instance.index() + ": " + error));
            }
        });
        if (error == null) {
            log.info("instance {} is up on port {}", instance.index(), instance.port());
        }
        changed.run();
    }

    /**
     * Stops whatever runs (except at the first start, which may adopt a server left running on purpose),
     * starts the server, builds the wanted template, creates every database.
     */
    private void bringUp() throws SQLException {
        serverLock.writeLock().lock();
        try {
            admins.closeAll();
            if (startedBefore) {
                instance.stop();
            }
            startedBefore = true;
            instance.start();
            String hash = wantedTemplate.get();
            admins.with(admin -> templateBuilder.ensure(instance, admin, hash));
            templateHash = hash;
            templateError = null;
            failedTemplate = null;
            for (PooledDatabase db : databases) {
                resetter.recreate(db.name);
            }
        } finally {
            serverLock.writeLock().unlock();
        }
    }

    private void rebuildTemplate() {
        String hash = wantedTemplate.get();
        if (state() != State.UP) {
            return;
        }
        if (hash.equals(templateHash)) {
            if (templateError != null) {
                templateError = null; // the sources are back to what this template was built from
                failedTemplate = null;
                changed.run();
            }
            return;
        }
        if (hash.equals(failedTemplate)) {
            return; // these sources failed already: tried again when they change, or at a restart
        }
        serverLock.writeLock().lock();
        try {
            if (state() != State.UP) {
                return;
            }
            admins.with(admin -> templateBuilder.ensure(instance, admin, hash));
            templateHash = hash;
            templateError = null;
            failedTemplate = null;
        } catch (SQLException | RuntimeException e) {
            templateError = e.getMessage() == null ? e.toString() : e.getMessage();
            failedTemplate = hash;
            log.warn("rebuilding the template of instance {} failed; its databases keep the previous template "
                    + "until the sources change again: {}", instance.index(), templateError);
            changed.run();
            return;
        } finally {
            serverLock.writeLock().unlock();
        }
        ledger.refresh(databases);
    }
}
