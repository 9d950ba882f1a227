package dev.pgcorral.lock.pool;

/** The pool shut down while a request waited. */
public class PoolClosedException extends RuntimeException {

    public PoolClosedException() {
        super("lock-service is shutting down");
    }
}
