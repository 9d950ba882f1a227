package dev.pgcorral.lock.client;

/** lock-service refused the password. */
public final class LockAuthenticationException extends LockClientException {

    public LockAuthenticationException(String message) {
        super(message);
    }
}
