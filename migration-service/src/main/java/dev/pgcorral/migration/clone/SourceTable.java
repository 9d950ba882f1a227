package dev.pgcorral.migration.clone;

import java.util.List;
import java.util.stream.Collectors;

import dev.pgcorral.common.pg.Identifiers;

/**
 * A table whose rows a clone copies: an ordinary table, a partition or an inheritance child (each copied
 * once, on its own), with the columns the destination accepts (generated columns are left to it).
 *
 * @param sizeBytes    {@code pg_table_size}: heap and TOAST
 * @param rowsEstimate the larger of {@code reltuples} and {@code n_live_tup}
 * @param pages        heap pages when it was listed
 * @param textFormat   its rows are copied as text, not binary (see {@link SourceTables#textFormatQuery})
 */
public record SourceTable(String schema, String name, long sizeBytes, long rowsEstimate, long pages, List<String> columns,
                          boolean textFormat) {

    public String qualifiedName() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    String columnList() {
        return columns.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
    }

    /** The COPY format of its rows. */
    String format() {
        return textFormat ? "text" : "binary";
    }

    public String label() {
        return schema + "." + name;
    }
}
