package dev.pgcorral.migration.follow;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follow's watchers (the lag probe, the flushed position): each on a thread of its own, so that one a server holds
 * up does not hold up the others; a look that throws is logged and the next runs all the same. {@link #close()} waits
 * for a look under way, which may open a connection, to end.
 */
final class Watchers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Watchers.class);

    private final String migrationId;
    private final List<ScheduledExecutorService> threads = new ArrayList<>();

    Watchers(String migrationId) {
        this.migrationId = migrationId;
    }

    /** Runs {@code look} every {@code millis} ms, from now on, on a thread named {@code name-<migration>}. */
    void every(String name, int millis, Runnable look) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-" + migrationId);
            t.setDaemon(true);
            return t;
        });
        threads.add(thread);
        thread.scheduleWithFixedDelay(() -> {
            try {
                look.run();
            } catch (RuntimeException e) {
                log.warn("migration {}: a look of its {} failed: {}", migrationId, name, e.toString());
            }
        }, 0, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        threads.forEach(ScheduledExecutorService::shutdownNow);
        try {
            for (ScheduledExecutorService thread : threads) {
                thread.awaitTermination(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
