package dev.pgcorral.lock.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import dev.pgcorral.lock.runtime.PostgresInstance;

/**
 * One PostgreSQL server of the pool with its databases and its workers: the threads that do
 * everything slow for this server, so the pool's monitor is never held during I/O. Resets run in
 * parallel (PostgreSQL copies from one template concurrently); starting the server and building
 * its template take {@link #exclusive} and so never overlap a reset.
 */
final class InstanceSlot {

    interface SqlWork<T> {
        T run(Connection admin) throws SQLException;
    }

    final PostgresInstance instance;
    final List<PooledDatabase> databases = new ArrayList<>();
    final ExecutorService worker;
    final ReadWriteLock exclusive = new ReentrantReadWriteLock(true);
    /** Bumped whenever the server goes away; work queued for an older epoch is ignored. Guarded by the pool. */
    int epoch;
    volatile String templateHash;
    volatile String lastError;
    /** A template rebuild is queued on the workers. */
    final java.util.concurrent.atomic.AtomicBoolean rebuildQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private final ConcurrentLinkedDeque<Connection> idleAdmins = new ConcurrentLinkedDeque<>();

    InstanceSlot(PostgresInstance instance, String prefix, int databases, int parallelism) {
        this.instance = instance;
        for (int i = 1; i <= databases; i++) {
            this.databases.add(new PooledDatabase(this, prefix + i));
        }
        AtomicInteger threads = new AtomicInteger();
        this.worker = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "pool-instance-" + instance.index() + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} on a connection to the {@code postgres} database; a connection that failed is dropped. */
    <T> T withAdmin(SqlWork<T> work) throws SQLException {
        Connection admin = idleAdmins.pollFirst();
        if (admin == null || admin.isClosed()) {
            admin = instance.connect("postgres");
        }
        try {
            T result = work.run(admin);
            idleAdmins.addFirst(admin);
            return result;
        } catch (SQLException | RuntimeException e) {
            close(admin);
            throw e;
        }
    }

    void closeAdmins() {
        Connection admin;
        while ((admin = idleAdmins.pollFirst()) != null) {
            close(admin);
        }
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the server may be gone already
        }
    }
}
