package dev.pgcorral.migration.clone;

/**
 * What one COPY moves: a whole table, or a range of its heap pages (a large table is shared by several
 * workers). The last range has no end, so rows on pages added after the table was listed are not missed.
 *
 * @param fromPage first page of the range; null for a whole table
 * @param toPage   page after the range; null for a whole table or the last range
 */
record TablePart(SourceTable table, int index, int count, Long fromPage, Long toPage) {

    static TablePart whole(SourceTable table) {
        return new TablePart(table, 0, 1, null, null);
    }

    /** {@code COPY ... TO STDOUT} on the source: binary, only this table's own rows (no children), no generated columns. */
    String copyOut() {
        if (fromPage == null) {
            return "COPY " + table.qualifiedName() + " (" + table.columnList() + ") TO STDOUT (FORMAT binary)";
        }
        String range = "ctid >= '(" + fromPage + ",0)'::tid" + (toPage == null ? "" : " AND ctid < '(" + toPage + ",0)'::tid");
        return "COPY (SELECT " + table.columnList() + " FROM ONLY " + table.qualifiedName() + " WHERE " + range
                + ") TO STDOUT (FORMAT binary)";
    }

    String copyIn() {
        return "COPY " + table.qualifiedName() + " (" + table.columnList() + ") FROM STDIN (FORMAT binary)";
    }
}
