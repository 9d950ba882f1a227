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
import java.util.stream.Collectors;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;

import dev.pgcorral.common.pg.Transactions;
import dev.pgcorral.common.pg.UserSchemas;

/**
 * The source's unlogged tables. Their changes are not written to the WAL, so logical replication never carries them:
 * after the clone, a follow sees nothing of them. A switchover copies them again while the source's writes are stopped.
 */
public final class UnloggedTables {

    private static final String UNLOGGED = "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND " + UserSchemas.CONDITION + " ORDER BY 1";

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
     * Replaces the rows of each one a clone copies (see {@link SourceTables}) on the destination with the source's, in one
     * destination transaction: {@code TRUNCATE ONLY} of them all, then a {@code COPY} each. Returns the rows copied per
     * table. {@code destination} writes (its database may be held read-only for new sessions); it is left with
     * {@code session_replication_role = replica} where its user may set it.
     */
    public static Map<String, Long> copyAgain(Connection source, Connection destination) throws SQLException {
        List<String> names = names(source);
        List<SourceTable> tables = SourceTables.list(source).stream().filter(t -> names.contains(t.label())).toList();
        Map<String, Long> copied = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return copied;
        }
        try (Statement st = destination.createStatement()) {
            st.execute("SET session_replication_role = replica"); // the rows were checked on the source: no trigger fires again
        } catch (SQLException notAllowed) {
            // a user that may not: triggers and foreign-key checks run, as they do for the apply
        }
        Transactions.run(destination, st -> {
            st.execute("TRUNCATE " + tables.stream().map(t -> "ONLY " + t.qualifiedName()).collect(Collectors.joining(", ")));
            for (SourceTable table : tables) {
                copied.put(table.label(), copy(TablePart.whole(table), source, destination));
            }
        });
        return copied;
    }

    private static long copy(TablePart table, Connection source, Connection destination) throws SQLException {
        CopyOut reading = source.unwrap(PGConnection.class).getCopyAPI().copyOut(table.copyOut());
        CopyIn writing = null;
        try {
            writing = destination.unwrap(PGConnection.class).getCopyAPI().copyIn(table.copyIn());
            byte[] row;
            while ((row = reading.readFromCopy()) != null) {
                writing.writeToCopy(row, 0, row.length);
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
