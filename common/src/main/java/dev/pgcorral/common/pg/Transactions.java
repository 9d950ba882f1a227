package dev.pgcorral.common.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Work done in one transaction on a connection, whatever its auto-commit. */
public final class Transactions {

    /** What runs in the transaction, on a statement of its connection. */
    @FunctionalInterface
    public interface Work {
        void run(Statement statement) throws SQLException;
    }

    private Transactions() {
    }

    /**
     * Runs {@code work} in one transaction on {@code connection}: committed if it returns, rolled back if it throws.
     * The connection's auto-commit is left as it was.
     */
    public static void run(Connection connection, Work work) throws SQLException {
        boolean auto = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            work.run(statement);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(auto);
        }
    }
}
