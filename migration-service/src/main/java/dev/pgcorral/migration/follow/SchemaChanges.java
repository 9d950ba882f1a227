package dev.pgcorral.migration.follow;

import java.util.LinkedHashSet;

import dev.pgcorral.common.pg.Lsn;

/**
 * The schema changes of one source transaction, read to its end so that one stop names them all (a statement that
 * holds several sends its text once).
 */
final class SchemaChanges {

    private final LinkedHashSet<String> statements = new LinkedHashSet<>();
    private Lsn last;

    void add(Lsn position, String statement) {
        statements.add(statement.strip());
        last = position;
    }

    /** @param missing a table the destination lacks that the transaction wrote before these statements; null: none */
    SchemaChangeException stop(TableMissingException missing) {
        return new SchemaChangeException(last, String.join("\n", statements), missing == null ? null : missing.table());
    }
}
