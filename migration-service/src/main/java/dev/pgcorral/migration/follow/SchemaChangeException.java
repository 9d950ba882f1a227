package dev.pgcorral.migration.follow;

import dev.pgcorral.common.pg.Lsn;

/**
 * DDL statements ran on the source: the follow stops before the transaction that holds them, naming them.
 * Once the destination has the same changes, a new start passes them (every one up to {@link #position()}) and
 * goes on.
 */
public final class SchemaChangeException extends ApplyException {

    private final Lsn position;

    SchemaChangeException(Lsn position, String statement) {
        super("schema change on the source, in: " + statement.strip() + " — apply the schema change (only the CREATE, ALTER or DROP, "
                + "not rows written by the same statement or transaction: the follow brings those) to the destination, then start the "
                + "migration again: it goes on past this statement (at " + position + ")");
        this.position = position;
    }

    /** Where the transaction's last statement's message is in the source's WAL. */
    public Lsn position() {
        return position;
    }
}
