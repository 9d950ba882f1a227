package dev.pgcorral.lock.pool;

/** A restart could not run (one is in progress) or failed. */
public class RestartException extends RuntimeException {

    private final boolean inProgress;

    RestartException(String message, boolean inProgress) {
        super(message);
        this.inProgress = inProgress;
    }

    public boolean inProgress() {
        return inProgress;
    }
}
