package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What one COPY moves: a whole table, or a range of its heap pages (a large table is shared by several
 * workers). The last range has no end, so rows on pages added after the table was listed are not missed.
 *
 * @param fromPage first page of the range; null for a whole table
 * @param toPage   page after the range; null for a whole table or the last range
 */
record TablePart(SourceTable table, int index, int count, Long fromPage, Long toPage) {

    /**
     * Readies the source's COPY session, so that rows copied as text read back the same on the destination: pgjdbc's own
     * start-up sets {@code DateStyle} ISO and {@code extra_float_digits} 3; an interval's text depends on the session's style
     * ({@code sql_standard}'s "-1 2:03:04" means another interval under {@code postgres} input); and an empty
     * {@code search_path} writes every regclass, regtype, … with its schema, which the destination's path could read as
     * another object.
     */
    static void readySource(Connection source) throws SQLException {
        try (Statement st = source.createStatement()) {
            st.execute("SET IntervalStyle = 'postgres'");
            st.execute("SELECT set_config('search_path', '', false)");
        }
    }

    /** Readies the destination's COPY session: intervals read as written (see {@link #readySource}), xml values that may be fragments. */
    static void readyDestination(Connection destination) throws SQLException {
        try (Statement st = destination.createStatement()) {
            st.execute("SET IntervalStyle = 'postgres'");
            st.execute("SET xmloption = content"); // whatever the destination's default
        }
    }

    static TablePart whole(SourceTable table) {
        return new TablePart(table, 0, 1, null, null);
    }

    /**
     * {@code COPY ... TO STDOUT} on the source: binary (text for a table that needs it), only this table's own rows (no
     * children), no generated columns.
     */
    String copyOut() {
        if (fromPage == null) {
            return "COPY " + table.qualifiedName() + " (" + table.columnList() + ") TO STDOUT (FORMAT " + table.format() + ")";
        }
        String range = "ctid >= '(" + fromPage + ",0)'::tid" + (toPage == null ? "" : " AND ctid < '(" + toPage + ",0)'::tid");
        return "COPY (SELECT " + table.columnList() + " FROM ONLY " + table.qualifiedName() + " WHERE " + range
                + ") TO STDOUT (FORMAT " + table.format() + ")";
    }

    String copyIn() {
        return "COPY " + table.qualifiedName() + " (" + table.columnList() + ") FROM STDIN (FORMAT " + table.format() + ")";
    }
}
