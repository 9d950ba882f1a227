package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;

import dev.pgcorral.common.pg.Relations;
import dev.pgcorral.common.pg.Transactions;
import dev.pgcorral.common.pg.UserSchemas;

/**
 * The source's unlogged tables. Their changes are not written to the WAL, so logical replication never carries them:
 * after the clone, a follow sees nothing of them, nor of what changed in a table while it was unlogged. A switchover
 * copies them again while the source's writes are stopped.
 */
public final class UnloggedTables {

    private static final String UNLOGGED = "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND " + UserSchemas.CONDITION + " ORDER BY 1";
    /** Plain tables (as a clone copies them) unlogged now, or named in the array parameter ({@code schema.table}). */
    private static final String TO_COPY = "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'r' AND " + UserSchemas.CONDITION + " AND (c.relpersistence = 'u' OR n.nspname || '.' || c.relname = ANY (?))"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
            + " ORDER BY 2, 3";
    /** How many rows are copied between two looks at the deadline. */
    private static final int ROWS_PER_LOOK = 1000;

    private UnloggedTables() {
    }

    /** Their names ({@code schema.table}). */
    public static List<String> names(Connection source) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement st = source.prepareStatement(UNLOGGED); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * The tables to copy again: those unlogged now and those in {@code onceUnlogged} ({@code schema.table}) that are still
     * there, with the columns a clone copies (see {@link SourceTables}). Read from the catalog alone: no table is locked,
     * so a table an application holds locked does not hold this up.
     */
    public static List<SourceTable> toCopy(Connection source, Set<String> onceUnlogged) throws SQLException {
        List<SourceTable> tables = new ArrayList<>();
        try (PreparedStatement st = source.prepareStatement(TO_COPY);
             PreparedStatement columns = source.prepareStatement(SourceTables.columnsQuery(source));
             PreparedStatement text = source.prepareStatement(SourceTables.textFormatQuery(source))) {
            st.setArray(1, source.createArrayOf("text", onceUnlogged.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(new SourceTable(rs.getString(2), rs.getString(3), 0, 0, 0, SourceTables.columns(columns, rs.getLong(1)),
                            SourceTables.textFormat(text, rs.getLong(1))));
                }
            }
        }
        return tables;
    }

    /** Those of {@code tables} the destination lacks. */
    public static List<String> missingOn(Connection destination, List<SourceTable> tables) throws SQLException {
        Map<String, String> named = new LinkedHashMap<>();
        tables.forEach(table -> named.put(table.qualifiedName(), table.label()));
        return Relations.missing(destination, named);
    }

    /**
     * Replaces the rows of {@code tables} on the destination with the source's, in one destination transaction:
     * {@code TRUNCATE ONLY} of them all, then a {@code COPY} each. Returns the rows copied per table. Past {@code deadline}
     * ({@link System#nanoTime()}) it stops, rolled back, and throws with {@code late} and where it was.
     * {@code destination} writes (its database may be held read-only for new sessions); it is left with
     * {@code session_replication_role = replica} where its user may set it.
     */
    public static Map<String, Long> copyAgain(Connection source, Connection destination, List<SourceTable> tables, long deadline,
                                              String late) throws SQLException {
        Map<String, Long> copied = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return copied;
        }
        try (Statement st = destination.createStatement()) {
            st.execute("SET session_replication_role = replica"); // the rows were checked on the source: no trigger fires again
        } catch (SQLException notAllowed) {
            // a user that may not: triggers and foreign-key checks run, as they do for the apply
        }
        TablePart.readySource(source);
        TablePart.readyDestination(destination);
        Transactions.run(destination, st -> {
            st.execute("TRUNCATE " + tables.stream().map(t -> "ONLY " + t.qualifiedName()).collect(Collectors.joining(", ")));
            for (SourceTable table : tables) {
                copied.put(table.label(), copy(TablePart.whole(table), source, destination, deadline, late));
            }
        });
        return copied;
    }

    private static long copy(TablePart table, Connection source, Connection destination, long deadline, String late) throws SQLException {
        CopyOut reading = source.unwrap(PGConnection.class).getCopyAPI().copyOut(table.copyOut());
        CopyIn writing = null;
        try {
            writing = destination.unwrap(PGConnection.class).getCopyAPI().copyIn(table.copyIn());
            byte[] row;
            long rows = 0;
            while ((row = reading.readFromCopy()) != null) {
                writing.writeToCopy(row, 0, row.length);
                if (++rows % ROWS_PER_LOOK == 0 && System.nanoTime() > deadline) {
                    throw new IllegalStateException(late + ", copying unlogged table " + table.table().label() + " again (" + rows
                            + " of its rows so far): give it a longer timeout_sec");
                }
            }
            return writing.endCopy();
        } catch (SQLException | RuntimeException e) {
            cancel(reading);
            cancel(writing);
            throw e;
        }
    }

    private static void cancel(CopyOperation copy) {
        try {
            if (copy != null && copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException ignored) {
            // what failed is thrown; the connection goes with the switchover's failure
        }
    }
}
