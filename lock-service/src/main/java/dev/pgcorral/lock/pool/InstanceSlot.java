package dev.pgcorral.lock.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.pgcorral.lock.runtime.PostgresInstance;

/**
 * One PostgreSQL server of the pool with its databases and its worker: a single thread that does
 * everything slow for this server (start, template, resets) one at a time, so no two operations on
 * the same template race and the pool's lock is never held during I/O.
 */
final class InstanceSlot {

    final PostgresInstance instance;
    final List<PooledDatabase> databases = new ArrayList<>();
    final ExecutorService worker;
    /** Bumped whenever the server goes away; work queued for an older epoch is ignored. Guarded by the pool. */
    int epoch;
    volatile String templateHash;
    volatile String lastError;
    private Connection admin;

    InstanceSlot(PostgresInstance instance, String prefix, int databases) {
        this.instance = instance;
        for (int i = 1; i <= databases; i++) {
            this.databases.add(new PooledDatabase(this, prefix + i));
        }
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pool-instance-" + instance.index());
            t.setDaemon(true);
            return t;
        });
    }

    /** The worker's connection to the {@code postgres} database; only used on the worker thread. */
    Connection admin() throws SQLException {
        if (admin == null || admin.isClosed()) {
            admin = instance.connect("postgres");
        }
        return admin;
    }

    void closeAdmin() {
        if (admin != null) {
            try {
                admin.close();
            } catch (SQLException ignored) {
                // the server may be gone already
            }
            admin = null;
        }
    }
}
