package dev.pgcorral.lock.pool;

import java.time.Duration;

/** No database became free within the requested wait. */
public class WaitTimeoutException extends RuntimeException {

    public WaitTimeoutException(Duration waited, int total) {
        super("no database became free within " + waited.toMillis() + " ms (all " + total
                + " databases are locked or resetting); wait longer, or add databases with pgcorral.lock.databases-per-instance");
    }
}
