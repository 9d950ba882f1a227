package dev.pgcorral.migration.clone;

/** The run was asked to stop. */
final class CloneCancelledException extends RuntimeException {

    CloneCancelledException() {
        super("stopped on request");
    }
}
