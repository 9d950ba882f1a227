package dev.pgcorral.migration.compare;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.clone.SourceTable;
import dev.pgcorral.migration.clone.SourceTables;
import dev.pgcorral.migration.clone.UnloggedTables;

/**
 * Compares a source and a destination database table by table: row count and content hash
 * ({@link TableHash}), for every table a clone copies on either side. Each side is read in one
 * REPEATABLE READ transaction, so all of the source's tables are seen as of one instant (right after a
 * clone, the instant the clone read, even while the source takes writes); the two sides are read at the
 * same time.
 */
public final class Comparer {

    /** One table; a count or hash is null on the side where the table does not exist. */
    public record TableResult(String schema, String name, Long sourceRows, Long destinationRows, String sourceHash,
                              String destinationHash, boolean equal, String difference) {
    }

    /** {@code sourceSnapshot}: how the source was read, in words; {@code note}: what to bear in mind reading it, or null. */
    public record Result(boolean equal, int tablesCompared, int tablesDiffering, String sourceSnapshot, Instant startedAt,
                         Instant finishedAt, List<TableResult> tables, String note) {

        public Result withNote(String text) {
            return new Result(equal, tablesCompared, tablesDiffering, sourceSnapshot, startedAt, finishedAt, tables, text);
        }
    }

    /** Starts a transaction on the source that imports an existing snapshot. */
    @FunctionalInterface
    public interface SnapshotImport {
        void begin(Connection source) throws SQLException;
    }

    /**
     * @param sourceView how to start the source's transaction: {@code null} for a new REPEATABLE READ snapshot,
     *                   or one that imports a clone's snapshot
     */
    public Result compare(ConnectionDetails source, ConnectionDetails destination, SnapshotImport sourceView) throws SQLException {
        Instant started = Instant.now();
        try (Connection src = open(source, sourceView); Connection dst = open(destination, null)) {
            Map<String, SourceTable> onSource = byName(SourceTables.list(src));
            Map<String, SourceTable> onDestination = byName(SourceTables.list(dst));
            Set<String> unlogged = Set.copyOf(UnloggedTables.names(src));
            List<String> names = new ArrayList<>(onSource.keySet());
            onDestination.keySet().stream().filter(n -> !onSource.containsKey(n)).forEach(names::add);
            List<TableResult> results = new ArrayList<>();
            for (String name : names) {
                SourceTable s = onSource.get(name);
                SourceTable d = onDestination.get(name);
                SourceTable any = s != null ? s : d;
                List<String> order = TableHash.keyOrder(s != null ? src : dst, any.schema(), any.name());
                CompletableFuture<TableHash.Result> sourceSide = s == null ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.supplyAsync(() -> hash(src, s, order));
                TableHash.Result destSide = d == null ? null : hash(dst, d, order);
                TableHash.Result sourceResult = join(sourceSide);
                results.add(result(any, sourceResult, destSide, unlogged.contains(any.label())));
            }
            int differing = (int) results.stream().filter(r -> !r.equal()).count();
            return new Result(differing == 0, results.size(), differing, sourceView == null ? "a new snapshot of the source"
                    : "the clone's snapshot of the source", started, Instant.now(), results, null);
        }
    }

    /** @param unlogged the table is unlogged on the source: a difference is then said to be what the follow cannot carry */
    private static TableResult result(SourceTable table, TableHash.Result source, TableHash.Result destination, boolean unlogged) {
        String difference;
        if (source == null) {
            difference = "only on the destination";
        } else if (destination == null) {
            difference = "missing on the destination";
        } else if (source.rows() != destination.rows()) {
            long delta = destination.rows() - source.rows();
            difference = (delta > 0 ? delta + " more" : -delta + " fewer") + " row(s) on the destination";
        } else if (!source.hash().equals(destination.hash())) {
            difference = "same row count, different content";
        } else {
            difference = null;
        }
        if (difference != null && unlogged && destination != null) {
            difference += " (unlogged on the source: its changes are not in the WAL, so no follow carries them; a switchover"
                    + " copies it again)";
        }
        return new TableResult(table.schema(), table.name(), source == null ? null : source.rows(),
                destination == null ? null : destination.rows(), source == null ? null : source.hash(),
                destination == null ? null : destination.hash(), difference == null, difference);
    }

    private static Connection open(ConnectionDetails details, SnapshotImport view) throws SQLException {
        Connection c = details.connect();
        try {
            if (view != null) {
                view.begin(c);
            } else {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            try (Statement st = c.createStatement()) {
                for (String setting : TableHash.SETTINGS) {
                    st.execute(setting);
                }
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static Map<String, SourceTable> byName(List<SourceTable> tables) {
        Map<String, SourceTable> map = new LinkedHashMap<>();
        tables.forEach(t -> map.put(t.label(), t));
        return map;
    }

    private static TableHash.Result hash(Connection c, SourceTable table, List<String> order) {
        try {
            return TableHash.of(c, table.schema(), table.name(), order);
        } catch (SQLException e) {
            throw new CompletionException(new SQLException("reading " + table.label() + ": " + e.getMessage(), e.getSQLState(), e));
        }
    }

    private static TableHash.Result join(CompletableFuture<TableHash.Result> future) throws SQLException {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e;
        }
    }
}
