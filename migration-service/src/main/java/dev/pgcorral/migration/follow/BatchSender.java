package dev.pgcorral.migration.follow;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import dev.pgcorral.common.pg.Identifiers;

/**
 * Runs the apply's batches on the destination connection, one at a time and in order. A batch that ends a
 * destination transaction runs on the caller's thread: nothing is left to build while it runs, and a hand-over to
 * another thread would add a wake-up to every commit's latency. The parts of a large transaction before it run on a
 * thread of their own, so the server works through one while the apply builds the next. Each statement's row count is
 * checked (an UPDATE or DELETE must find its row); a batch's follow-up (acknowledging a commit) runs only
 * once the server has answered it. A part's failure is thrown on the apply's thread at its next call.
 */
final class BatchSender implements AutoCloseable {

    /** A batch entry: what it was ("UPDATE on t"), for an error message, and its row count; {@code expectedRows} -1: any. */
    record Entry(String what, int expectedRows) {
    }

    /** How many of a failed batch's changes its error names at most. */
    private static final int MAX_NAMED = 5;

    private final Statement statement;
    private final ExecutorService thread;
    private Future<?> inFlight;
    /** When the batch the destination works on was sent ({@link System#nanoTime()}); 0 while none is. */
    private volatile long busySince;

    BatchSender(Connection connection, String name) throws SQLException {
        this.statement = connection.createStatement();
        statement.setEscapeProcessing(false); // plain SQL: the driver need not scan every statement for JDBC escapes
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "migration-apply-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends a part of a transaction after the one in flight (waiting for that one first) and returns while the server
     * works on it.
     */
    void send(List<String> sql, List<Entry> entries) throws SQLException {
        awaitSent();
        inFlight = thread.submit(() -> {
            execute(sql, entries);
            return null;
        });
    }

    /**
     * Runs the batch that ends a transaction, after the part in flight, and returns once the server answered it;
     * {@code afterSuccess} runs then.
     */
    void sendLast(List<String> sql, List<Entry> entries, Runnable afterSuccess) throws SQLException {
        awaitSent();
        execute(sql, entries);
        afterSuccess.run();
    }

    /** Waits until the batch in flight is answered; throws what it failed with. */
    void awaitSent() throws SQLException {
        Future<?> f = inFlight;
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the destination applied a batch", "08006", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } finally {
            inFlight = null;
        }
    }

    /** When the batch the destination works on now was sent ({@link System#nanoTime()}); 0 while none is. */
    long busySince() {
        return busySince;
    }

    /** Throws what the last batch failed with if it is answered already; never waits. */
    void check() throws SQLException {
        Future<?> f = inFlight;
        if (f != null && f.isDone()) {
            awaitSent();
        }
    }

    /**
     * Runs a batch. One that ends with {@code COMMIT} and has row counts to check here (the destination did not check them:
     * see {@link RowCheck}) commits in a round trip of its own once they are checked: a change that found no row leaves
     * its transaction uncommitted, and the origin where it was.
     */
    private void execute(List<String> sql, List<Entry> entries) throws SQLException {
        int last = sql.size() - 1;
        if (last > 0 && "COMMIT".equals(sql.get(last)) && entries.stream().anyMatch(e -> e.expectedRows() >= 0)) {
            executeChecked(sql.subList(0, last), entries.subList(0, last));
            executeChecked(sql.subList(last, last + 1), entries.subList(last, last + 1));
            return;
        }
        executeChecked(sql, entries);
    }

    private void executeChecked(List<String> sql, List<Entry> entries) throws SQLException {
        for (String s : sql) {
            statement.addBatch(s);
        }
        int[] counts;
        busySince = System.nanoTime();
        try {
            counts = statement.executeBatch();
        } catch (BatchUpdateException e) {
            if (SqlFaults.connectionFault(e)) {
                throw e;
            }
            if (e.getNextException() != null && RowCheck.SQLSTATE.equals(e.getNextException().getSQLState())) {
                throw new ApplyException(serverMessage(e) + ": " + RowCheck.DIFFERS, e); // the check's own message: what found how many
            }
            throw new ApplyException("the destination refused a change" + refusedTable(e, entries) + ": " + serverMessage(e), e);
        } finally {
            busySince = 0;
            statement.clearBatch();
        }
        for (int i = 0; i < counts.length; i++) {
            Entry change = entries.get(i);
            if (change.expectedRows() >= 0 && counts[i] != change.expectedRows()) {
                throw new ApplyException(RowCheck.describe(change.what(), counts[i], change.expectedRows()) + ": " + RowCheck.DIFFERS);
            }
        }
    }

    /**
     * The table the server's error names, as " to schema.table"; else the changes the batch held (a value the column's
     * type refuses names no table). pgjdbc does not tell which entry of a batch failed: its update counts all read "failed".
     */
    private static String refusedTable(BatchUpdateException e, List<Entry> entries) {
        if (e.getNextException() instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getTable() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return " to " + (m.getSchema() == null ? "" : Identifiers.quote(m.getSchema()) + ".") + Identifiers.quote(m.getTable());
        }
        List<String> changes = entries.stream().map(Entry::what).filter(what -> what.contains(" on ") && !what.startsWith("preparing"))
                .distinct().toList();
        if (changes.isEmpty()) {
            return "";
        }
        return " (one of: " + String.join(", ", changes.subList(0, Math.min(changes.size(), MAX_NAMED)))
                + (changes.size() > MAX_NAMED ? " and " + (changes.size() - MAX_NAMED) + " more" : "") + ")";
    }

    /** What a batch failed with, in the server's (or the network's) words, without the driver's "Batch entry n" wrapper. */
    static String serverMessage(BatchUpdateException e) {
        SQLException next = e.getNextException();
        if (next instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage() + (m.getDetail() == null ? "" : " (" + m.getDetail() + ")");
        }
        return next != null ? next.getMessage() : e.getMessage();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
