package dev.pgcorral.replay.travel;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * Compares the tables of two databases: per table the row count and a hash of the content (the rows'
 * text, sorted, so row order does not matter). A table missing on one side counts as different.
 */
public final class Compare {

    /** One table on both sides; counts and hashes are null where the table does not exist. */
    public record Table(String schema, String table, Long rowsLeft, Long rowsRight, String hashLeft, String hashRight, boolean equal) {
        static Table of(String schema, String table, Content left, Content right) {
            return new Table(schema, table, left == null ? null : left.rows(), right == null ? null : right.rows(),
                    left == null ? null : left.hash(), right == null ? null : right.hash(), left != null && left.equals(right));
        }
    }

    public record Result(String left, String right, boolean equal, List<Table> tables) {
    }

    private record Content(long rows, String hash) {
    }

    private Compare() {
    }

    public static Result compare(String leftName, ConnectionDetails left, String rightName, ConnectionDetails right) throws SQLException {
        TreeMap<String, Content> a = contents(left);
        TreeMap<String, Content> b = contents(right);
        TreeSet<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        List<Table> tables = new ArrayList<>();
        for (String name : names) {
            Content l = a.get(name);
            Content r = b.get(name);
            int dot = name.indexOf('\u0000');
            tables.add(Table.of(name.substring(0, dot), name.substring(dot + 1), l, r));
        }
        return new Result(leftName, rightName, tables.stream().allMatch(Table::equal), tables);
    }

    private static TreeMap<String, Content> contents(ConnectionDetails db) throws SQLException {
        TreeMap<String, Content> contents = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; "
                    + "SET bytea_output = 'hex'");
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgcorral_replay') "
                    + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1, 2")) {
                while (rs.next()) {
                    tables.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] t : tables) {
                String name = Identifiers.quote(t[0]) + "." + Identifiers.quote(t[1]);
                try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
                        + "FROM (SELECT md5(ROW(pgcorral_row.*)::text) AS h FROM ONLY " + name + " pgcorral_row) rows")) {
                    rs.next();
                    contents.put(t[0] + '\u0000' + t[1], new Content(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return contents;
    }
}
