package dev.pgcorral.migration.follow;

/** A table receives changes on the source but the destination does not have it. */
final class TableMissingException extends ApplyException {

    private final String table;

    TableMissingException(String table) {
        super("schema change on the source: table " + table + " receives changes but does not exist on the destination; create it "
                + "there as on the source, then start the migration again");
        this.table = table;
    }

    /** Its quoted, schema-qualified name. */
    String table() {
        return table;
    }
}
