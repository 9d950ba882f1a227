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

    /** Whether the destination refused it for a key it holds already ({@code unique_violation}). */
    public boolean duplicateKey() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                for (java.sql.SQLException next = sql; next != null; next = next.getNextException()) {
                    if ("23505".equals(next.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** This one, with {@code hint} after its message. */
    public ApplyException withHint(String hint) {
        return new ApplyException(getMessage() + ". " + hint, getCause());
    }
}
