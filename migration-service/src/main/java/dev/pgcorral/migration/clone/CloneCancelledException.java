package dev.pgcorral.migration.clone;

/** The run was asked to stop. */
public final class CloneCancelledException extends RuntimeException {

    public CloneCancelledException() {
        super("stopped on request");
    }
}
