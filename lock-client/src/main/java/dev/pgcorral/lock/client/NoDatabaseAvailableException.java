package dev.pgcorral.lock.client;

/** No database of the pool became free within the wait. */
public final class NoDatabaseAvailableException extends LockClientException {

    public NoDatabaseAvailableException(String message) {
        super(message);
    }
}
