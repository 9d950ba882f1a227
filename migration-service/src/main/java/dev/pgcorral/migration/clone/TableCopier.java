package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Copies table parts with parallel workers, each reading the source through the clone's snapshot and
 * passing the bytes of {@code COPY ... TO STDOUT (FORMAT binary)} to {@code COPY ... FROM STDIN} on the
 * destination unchanged (no row is decoded). A part is one destination transaction: one that fails leaves
 * nothing behind and, when the connection was lost, is copied again (up to {@value #ATTEMPTS} times) on the
 * same snapshot while it lives.
 */
final class TableCopier {

    static final int ATTEMPTS = 3;
    private static final int SEND_BYTES = 256 << 10;

    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final CloneSnapshot snapshot;
    private final CloneProgress progress;
    private final BooleanSupplier cancelled;
    private final RunConnections connections;

    TableCopier(ConnectionDetails source, ConnectionDetails destination, CloneSnapshot snapshot, CloneProgress progress,
                BooleanSupplier cancelled, RunConnections connections) {
        this.source = source;
        this.destination = destination;
        this.snapshot = snapshot;
        this.progress = progress;
        this.cancelled = cancelled;
        this.connections = connections;
    }

    /**
     * Copies every part with {@code workers} workers, adding each to {@code copied} once committed; the first
     * failure that is not retried ends the copy.
     */
    void copy(List<TablePart> parts, Map<SourceTable, TableProgress> tables, Set<TablePart> copied, int workers) throws Exception {
        ConcurrentLinkedQueue<TablePart> queue = new ConcurrentLinkedQueue<>(parts);
        AtomicReference<Exception> failed = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(workers, parts.size())), r -> {
            Thread t = new Thread(r, "clone-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int i = 0; i < Math.max(1, Math.min(workers, parts.size())); i++) {
                running.add(pool.submit(() -> work(queue, tables, copied, failed)));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    private void work(ConcurrentLinkedQueue<TablePart> queue, Map<SourceTable, TableProgress> tables, Set<TablePart> copied,
                      AtomicReference<Exception> failed) {
        Connection in = null;
        Connection out = null;
        try {
            TablePart part;
            while (failed.get() == null && (part = queue.poll()) != null) {
                TableProgress table = tables.get(part.table());
                for (int attempt = 1; ; attempt++) {
                    if (cancelled.getAsBoolean()) {
                        throw new CloneCancelledException();
                    }
                    try {
                        if (out == null) {
                            out = connections.open(source, "source");
                            snapshot.begin(out);
                            TablePart.readySource(out);
                            in = connections.open(destination, "destination");
                            TablePart.readyDestination(in);
                            try (Statement st = in.createStatement()) {
                                // a part that is lost is copied again; Finishing.flush puts the clone on disk before it is done
                                st.execute("SET synchronous_commit = off");
                            }
                        }
                        copy(part, table, out, in);
                        copied.add(part);
                        break;
                    } catch (SQLException e) {
                        connections.close(out);
                        connections.close(in);
                        out = null;
                        in = null;
                        if (cancelled.getAsBoolean()) {
                            throw new CloneCancelledException();
                        }
                        boolean lost = e.getSQLState() != null && e.getSQLState().startsWith("08");
                        String what = "copying " + part.table().label() + (part.count() > 1 ? " (part " + (part.index() + 1) + " of "
                                + part.count() + ")" : "") + ": " + e.getMessage();
                        progress.failure(what, lost && attempt < ATTEMPTS && snapshot.isOpen());
                        if (!lost || attempt >= ATTEMPTS || !snapshot.isOpen()) {
                            throw new SQLException(what, e.getSQLState(), e);
                        }
                        progress.event("copy_retry", what, Map.of("table", part.table().label(), "attempt", Integer.toString(attempt + 1)));
                        Thread.sleep(1000L * attempt);
                    }
                }
            }
        } catch (Exception e) {
            failed.compareAndSet(null, e);
        } finally {
            connections.close(out);
            connections.close(in);
        }
    }

    private void copy(TablePart part, TableProgress table, Connection out, Connection in) throws SQLException {
        table.partStarted();
        long moved = 0;
        CopyOut reading = out.unwrap(PGConnection.class).getCopyAPI().copyOut(part.copyOut());
        CopyIn writing = null;
        try {
            writing = in.unwrap(PGConnection.class).getCopyAPI().copyIn(part.copyIn());
            byte[] buffer = new byte[SEND_BYTES];
            int filled = 0;
            byte[] chunk;
            while ((chunk = reading.readFromCopy()) != null) {
                if (filled + chunk.length > buffer.length) {
                    writing.writeToCopy(buffer, 0, filled);
                    table.moved(filled);
                    moved += filled;
                    filled = 0;
                    if (cancelled.getAsBoolean()) {
                        throw new CloneCancelledException();
                    }
                }
                if (chunk.length > buffer.length) {
                    writing.writeToCopy(chunk, 0, chunk.length);
                    table.moved(chunk.length);
                    moved += chunk.length;
                } else {
                    System.arraycopy(chunk, 0, buffer, filled, chunk.length);
                    filled += chunk.length;
                }
            }
            writing.writeToCopy(buffer, 0, filled);
            table.moved(filled);
            moved += filled;
            long rows = writing.endCopy();
            table.partDone(rows, moved);
        } catch (SQLException | RuntimeException e) {
            table.partFailed(moved);
            cancel(reading);
            cancel(writing);
            throw e;
        }
    }

    private static void cancel(org.postgresql.copy.CopyOperation copy) {
        try {
            if (copy != null && copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // the connection is closed next
        }
    }
}
