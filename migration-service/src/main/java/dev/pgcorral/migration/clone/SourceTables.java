package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.pg.UserSchemas;

/**
 * Lists, inside the clone's snapshot, the tables whose rows are copied and splits the large ones into
 * page ranges. Left out: partitioned parents (their partitions are copied), views, materialized views
 * (refreshed on the destination), foreign tables, temporary tables, tables that belong to an extension
 * (its {@code CREATE EXTENSION} makes them), and the system schemas.
 */
public final class SourceTables {

    private static final String TABLES = """
            SELECT c.oid, n.nspname, c.relname, pg_table_size(c.oid),
                   greatest(c.reltuples::bigint, coalesce(s.n_live_tup, 0), 0),
                   pg_relation_size(c.oid) / current_setting('block_size')::bigint
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relkind = 'r' AND c.relpersistence <> 't'
              AND\s""" + UserSchemas.CONDITION + """
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 4 DESC, 2, 3""";

    private SourceTables() {
    }

    /** The tables, largest first (the copy order). */
    public static List<SourceTable> list(Connection source) throws SQLException {
        List<SourceTable> tables = new ArrayList<>();
        try (PreparedStatement st = source.prepareStatement(TABLES); ResultSet rs = st.executeQuery();
             PreparedStatement columns = source.prepareStatement(columnsQuery(source));
             PreparedStatement text = source.prepareStatement(textFormatQuery(source))) {
            while (rs.next()) {
                tables.add(new SourceTable(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                        columns(columns, rs.getLong(1)), textFormat(text, rs.getLong(1))));
            }
        }
        return tables;
    }

    /** The query of a table's columns a COPY moves (by the table's OID): not dropped, not generated. */
    static String columnsQuery(Connection source) throws SQLException {
        boolean generatedColumns = source.getMetaData().getDatabaseMajorVersion() >= 12;
        return "SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped"
                + (generatedColumns ? " AND attgenerated = ''" : "") + " ORDER BY attnum";
    }

    /**
     * The query of whether a table's rows must be copied as text (by the table's OID): one of its copied columns has a type,
     * or holds one (a domain's base, an array's element, a range's subtype, a composite's fields), whose binary form another
     * server would not read back the same: no binary I/O at all ({@code aclitem}, some extensions' types); an OID that names
     * an object (regclass, regtype, …: as text, its name); or, inside an array or a composite, whose binary form carries each
     * element's and field's type OID, a type the database made (an enum, a domain: its OID differs on the destination).
     * Text is how pg_dump copies every type.
     */
    static String textFormatQuery(Connection source) throws SQLException {
        int major = source.getMetaData().getDatabaseMajorVersion();
        return """
                WITH RECURSIVE used(oid, inside) AS (
                    SELECT atttypid, false FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped%s
                  UNION
                    SELECT held.oid, u.inside OR held.tagged FROM used u JOIN pg_type t ON t.oid = u.oid
                    CROSS JOIN LATERAL (
                        SELECT nullif(t.typbasetype, 0), false
                        UNION ALL SELECT nullif(t.typelem, 0), t.typlen = -1
                        UNION ALL SELECT r.rngsubtype, false FROM pg_range r WHERE r.rngtypid = t.oid%s
                        UNION ALL SELECT a.atttypid, true FROM pg_attribute a
                                  WHERE t.typrelid <> 0 AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                    ) held(oid, tagged) WHERE held.oid IS NOT NULL
                )
                SELECT EXISTS (SELECT 1 FROM used u JOIN pg_type t ON t.oid = u.oid
                               WHERE t.typsend = 0 OR t.typreceive = 0
                                  OR (t.typnamespace = 'pg_catalog'::regnamespace AND t.typname LIKE 'reg%%')
                                  OR (u.inside AND t.oid >= 16384))""".formatted(
                major >= 12 ? " AND attgenerated = ''" : "",
                major >= 14 ? "\n                        UNION ALL SELECT r.rngtypid, false FROM pg_range r WHERE r.rngmultitypid = t.oid" : "");
    }

    /** Whether the table {@code oid}'s rows go as text, through {@link #textFormatQuery}. */
    static boolean textFormat(PreparedStatement textFormatQuery, long oid) throws SQLException {
        textFormatQuery.setLong(1, oid);
        try (ResultSet rs = textFormatQuery.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The columns of the table {@code oid}, through {@link #columnsQuery}. */
    static List<String> columns(PreparedStatement columnsQuery, long oid) throws SQLException {
        columnsQuery.setLong(1, oid);
        List<String> names = new ArrayList<>();
        try (ResultSet c = columnsQuery.executeQuery()) {
            while (c.next()) {
                names.add(c.getString(1));
            }
        }
        return List.copyOf(names);
    }

    /**
     * The parts to copy: a table larger than {@code splitAbove} bytes in about that many bytes' worth of page
     * ranges (at most {@code maxParts}), when the source scans a ctid range without reading the whole table
     * (PostgreSQL 14 and later); any other table whole. Largest first.
     */
    static List<TablePart> parts(List<SourceTable> tables, long splitAbove, int maxParts, boolean tidRangeScans) {
        List<TablePart> parts = new ArrayList<>();
        for (SourceTable t : tables) {
            int count = (int) Math.min(maxParts, (t.sizeBytes() + splitAbove - 1) / splitAbove);
            if (!tidRangeScans || t.sizeBytes() <= splitAbove || count < 2 || t.pages() < count) {
                parts.add(TablePart.whole(t));
                continue;
            }
            long step = (t.pages() + count - 1) / count;
            for (int i = 0; i < count; i++) {
                long from = i * step;
                parts.add(new TablePart(t, i, count, from, i == count - 1 ? null : from + step));
            }
        }
        parts.sort((a, b) -> Long.compare(b.table().sizeBytes() / b.count(), a.table().sizeBytes() / a.count()));
        return parts;
    }
}
