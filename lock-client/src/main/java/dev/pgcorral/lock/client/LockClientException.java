package dev.pgcorral.lock.client;

/** A lock-service call that did not work; the message says what happened and what to do. */
public class LockClientException extends RuntimeException {

    public LockClientException(String message) {
        super(message);
    }
}
