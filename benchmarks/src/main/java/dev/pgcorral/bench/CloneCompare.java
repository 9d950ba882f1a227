package dev.pgcorral.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * What must be equal after a clone, read from a database: per user table its row count and an MD5 over the
 * MD5s of its rows' text in primary-key order (every column in order where there is no primary key); the
 * definitions of the indexes and constraints on user tables; every sequence's last value. Two readings are
 * compared with {@link #differences}.
 */
final class CloneCompare {

    /** Schemas that are not the user's. */
    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

    /** @param order the {@code ORDER BY} its rows were digested in: its primary key's columns, else {@code t::text} */
    record Table(long rows, String md5, String order) {
    }

    /**
     * @param tables      by {@code schema.name}
     * @param indexes     {@code pg_get_indexdef} of every index on a user table (marked when invalid), sorted
     * @param constraints {@code table: name definition} of every constraint on a user table, sorted
     * @param sequences   {@code schema.name} to its last value ({@code null} text when never called)
     */
    record Reading(Map<String, Table> tables, List<String> indexes, List<String> constraints, Map<String, String> sequences) {

        /** Counts for the JSON. */
        Map<String, Object> counts() {
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("tables", tables.size());
            counts.put("indexes", indexes.size());
            counts.put("constraints", constraints.size());
            counts.put("sequences", sequences.size());
            return counts;
        }
    }

    private CloneCompare() {
    }

    /** The source's reading: each table's rows digested in the order of its own primary key. */
    static Reading read(ConnectionDetails db) throws SQLException {
        return read(db, null);
    }

    /**
     * A copy's reading, its tables' rows digested in the order {@code original} used for the same table, so that
     * contents compare equal even where the copy lacks a primary key (reported on its own).
     */
    static Reading read(ConnectionDetails db, Reading original) throws SQLException {
        try (Connection c = db.connect()) {
            Map<String, Table> tables = new TreeMap<>();
            for (String[] table : rows(c, "SELECT n.nspname, c.relname, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND " + USER_SCHEMAS)) {
                String name = table[0] + "." + table[1];
                Table same = original == null ? null : original.tables().get(name);
                String order = same != null ? same.order() : primaryKeyOrder(c, Long.parseLong(table[2]));
                tables.put(name, table(c, table[0], table[1], order));
            }
            List<String> indexes = column(c, "SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END"
                    + " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND " + USER_SCHEMAS + " ORDER BY 1");
            List<String> constraints = column(c, "SELECT n.nspname || '.' || c.relname || ': ' || co.conname || ' ' || pg_get_constraintdef(co.oid)"
                    + " || CASE WHEN co.convalidated THEN '' ELSE ' (NOT VALIDATED)' END"
                    + " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND " + USER_SCHEMAS + " ORDER BY 1");
            Map<String, String> sequences = new TreeMap<>();
            for (String[] sequence : rows(c, "SELECT schemaname || '.' || sequencename, coalesce(last_value::text, 'null') FROM pg_sequences")) {
                sequences.put(sequence[0], sequence[1]);
            }
            return new Reading(tables, indexes, constraints, sequences);
        }
    }

    /** What differs in {@code copy} from {@code original}, one line each; empty when they compare equal. */
    static List<String> differences(Reading original, Reading copy) {
        List<String> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(original.tables().keySet());
        names.addAll(copy.tables().keySet());
        for (String name : names) {
            Table a = original.tables().get(name);
            Table b = copy.tables().get(name);
            if (a == null || b == null) {
                out.add("table " + name + (a == null ? " is not in the source" : " is missing"));
            } else if (a.rows() != b.rows()) {
                out.add("table " + name + ": " + b.rows() + " rows instead of " + a.rows());
            } else if (!a.md5().equals(b.md5())) {
                out.add("table " + name + ": same row count, different contents (md5 " + b.md5() + " instead of " + a.md5() + ")");
            }
        }
        listDifferences("index", original.indexes(), copy.indexes(), out);
        listDifferences("constraint", original.constraints(), copy.constraints(), out);
        TreeSet<String> sequences = new TreeSet<>(original.sequences().keySet());
        sequences.addAll(copy.sequences().keySet());
        for (String name : sequences) {
            String a = original.sequences().get(name);
            String b = copy.sequences().get(name);
            if (!Objects.equals(a, b)) {
                out.add("sequence " + name + ": last value " + b + " instead of " + a);
            }
        }
        return out;
    }

    private static void listDifferences(String what, List<String> original, List<String> copy, List<String> out) {
        List<String> missing = new ArrayList<>(original);
        copy.forEach(missing::remove);
        List<String> extra = new ArrayList<>(copy);
        original.forEach(extra::remove);
        missing.forEach(d -> out.add(what + " missing: " + d));
        extra.forEach(d -> out.add(what + " not in the source: " + d));
    }

    /** The table's primary-key columns, quoted, as an {@code ORDER BY} list; {@code t::text} (the whole row) without one. */
    private static String primaryKeyOrder(Connection c, long oid) throws SQLException {
        List<String> key = column(c, "SELECT quote_ident(a.attname) FROM pg_index i"
                + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, position)"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indisprimary AND i.indrelid = " + oid + " ORDER BY k.position");
        return key.isEmpty() ? "t::text" : String.join(", ", key);
    }

    /** Streams the table's row digests in that order (fetched 10,000 at a time) into one MD5. */
    private static Table table(Connection c, String schema, String name, String order) throws SQLException {
        MessageDigest digest = md5();
        long rows = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false); // a cursor, not the whole table in memory
        try (Statement st = c.createStatement()) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery("SELECT md5(t::text) FROM " + Identifiers.quote(schema) + "." + Identifiers.quote(name)
                    + " t ORDER BY " + order)) {
                while (rs.next()) {
                    digest.update(rs.getString(1).getBytes(StandardCharsets.US_ASCII));
                    rows++;
                }
            }
        } finally {
            c.commit();
            c.setAutoCommit(autoCommit);
        }
        return new Table(rows, HexFormat.of().formatHex(digest.digest()), order);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }

    /** The first column of every row. */
    private static List<String> column(Connection c, String sql) throws SQLException {
        return rows(c, sql).stream().map(row -> row[0]).toList();
    }

    private static List<String[]> rows(Connection c, String sql) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = rs.getString(i + 1);
                }
                out.add(row);
            }
        }
        return out;
    }
}
