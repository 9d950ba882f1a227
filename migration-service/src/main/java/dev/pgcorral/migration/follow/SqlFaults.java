package dev.pgcorral.migration.follow;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

/** What kind of fault an {@link SQLException} is, and what it says, for the follow's retries and errors. */
final class SqlFaults {

    private SqlFaults() {
    }

    /**
     * A fault that waiting can cure: the connection broke or could not be made (08), the server shuts down or
     * starts (57P01-57P03).
     */
    static boolean connectionFault(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    /** What went wrong, in the server's or the network's words: a batch's own wrapper ("Batch entry 0 … was aborted") left out. */
    static String cause(SQLException e) {
        return e instanceof BatchUpdateException batch ? BatchSender.serverMessage(batch) : e.getMessage();
    }
}
