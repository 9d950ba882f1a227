package dev.pgcorral.lock.client;

/** lock-service could not be reached at its URL (not running, wrong host or port). */
public final class LockServiceUnreachableException extends LockClientException {

    public LockServiceUnreachableException(String message) {
        super(message);
    }
}
