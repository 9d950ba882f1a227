package dev.pgcorral.common.local;

/** A data directory that a running PostgreSQL, another process's, already serves. */
public final class DataDirectoryInUseException extends IllegalStateException {

    DataDirectoryInUseException(String message) {
        super(message);
    }
}
