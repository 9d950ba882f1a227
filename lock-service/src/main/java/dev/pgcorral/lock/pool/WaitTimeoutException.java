package dev.pgcorral.lock.pool;

import java.time.Duration;

/** No database became free within the requested wait (a zero wait: none was free at once). */
public class WaitTimeoutException extends RuntimeException {

    /**
     * @param wait    the wait the request asked for
     * @param total   the databases of the pool
     * @param waiting the other requests still queued
     */
    public WaitTimeoutException(Duration wait, int total, int waiting) {
        super((wait.isZero() ? "no database was free at once" : "no database became free within " + wait.toMillis() + " ms")
                + " (all " + total + " databases are locked or resetting, " + others(waiting)
                + "); wait longer, or add databases with pgcorral.lock.databases-per-instance");
    }

    private static String others(int waiting) {
        return waiting == 1 ? "1 other request is waiting" : waiting + " other requests are waiting";
    }
}
