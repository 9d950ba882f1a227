package dev.pgcorral.migration.follow;

/**
 * A change the destination cannot take as it is: a row that is not there, a table or column it lacks, a
 * table without a replica identity, a constraint the row breaks. Trying again does not help: the
 * migration stops with this message, which says what to fix.
 */
public class ApplyException extends RuntimeException {

    public ApplyException(String message) {
        super(message);
    }

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
