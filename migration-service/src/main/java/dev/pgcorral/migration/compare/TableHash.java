package dev.pgcorral.migration.compare;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.pgcorral.common.pg.Identifiers;

/**
 * A table's row count and content hash: the server hashes each row's text ({@code md5(ROW(r.a, r.b, …)::text)}, the columns in
 * the order of their names, so that two tables whose columns stand in another order compare alike; {@code r::text} would be a
 * column of that name where there is one) and sends
 * the row hashes in primary-key order (or, without a key, in the order of the hashes themselves); here they
 * are folded into one SHA-256. Only the table's own rows ({@code ONLY}): partitions and children are tables
 * of their own. Both sides must use the same output settings ({@link #SETTINGS}).
 */
final class TableHash {

    /** Session settings that make a row's text the same on any server. */
    static final List<String> SETTINGS = List.of("SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 3", "SET bytea_output = 'hex'");

    private static final String ALIAS = "pgcorral_row";

    record Result(long rows, String hash) {
    }

    private TableHash() {
    }

    /**
     * The {@code ORDER BY} of {@code schema.table}'s primary key on this connection (text columns in the "C"
     * collation, so two servers with different collations order rows alike); empty without a key.
     */
    static List<String> keyOrder(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, a.attcollation <> 0 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = t.relnamespace JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, pos) ON true "
                + "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum WHERE i.indisprimary AND n.nspname = ? AND t.relname = ? "
                + "ORDER BY k.pos")) {
            st.setString(1, schema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                List<String> columns = new ArrayList<>();
                while (rs.next()) {
                    columns.add(ALIAS + "." + Identifiers.quote(rs.getString(1)) + (rs.getBoolean(2) ? " COLLATE \"C\"" : ""));
                }
                return columns;
            }
        }
    }

    /** The table's columns on this connection, by name, each as {@code pgcorral_row."name"}. */
    private static List<String> columnsByName(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 "
                + "AND NOT a.attisdropped")) {
            st.setString(1, schema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                return names.stream().sorted().map(name -> ALIAS + "." + Identifiers.quote(name)).toList();
            }
        }
    }

    /** Reads the table inside the connection's open transaction (autocommit off, so rows are fetched in batches). */
    static Result of(Connection c, String schema, String table, List<String> keyOrder) throws SQLException {
        String order = keyOrder.isEmpty() ? "1" : String.join(", ", keyOrder);
        MessageDigest digest = sha256();
        long rows = 0;
        try (PreparedStatement st = c.prepareStatement("SELECT md5(ROW(" + String.join(", ", columnsByName(c, schema, table)) + ")::text) FROM ONLY "
                + Identifiers.quote(schema) + "." + Identifiers.quote(table) + " " + ALIAS + " ORDER BY " + order)) {
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    digest.update(rs.getString(1).getBytes(StandardCharsets.US_ASCII));
                    rows++;
                }
            }
        }
        return new Result(rows, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
