package dev.pgcorral.migration.follow;

import dev.pgcorral.common.pg.Lsn;

/**
 * DDL statements ran on the source: the follow stops before the transaction that holds them, naming them.
 * Once the destination has the same changes, a new start passes them (every one up to {@link #position()}) and
 * goes on.
 */
public final class SchemaChangeException extends ApplyException {

    private final Lsn position;

    /**
     * @param filled a table the destination lacks that the transaction wrote before the statement was captured, as
     *               {@code CREATE TABLE … AS} does; null: none
     */
    SchemaChangeException(Lsn position, String statement, String filled) {
        super("schema change on the source, in: " + statement.strip() + " — " + (filled == null ? ""
                : "table " + filled + ", which the destination lacks, is written in the same transaction before the statement ended, as "
                + "CREATE TABLE … AS and SELECT … INTO do: create it on the destination empty (the same statement WITH NO DATA, or a "
                + "CREATE TABLE with its columns), then ") + "apply the schema change (only the CREATE, ALTER or DROP, "
                + "not rows written by the same statement or transaction: the follow brings those) to the destination, then start the "
                + "migration again: it goes on past this statement (at " + position + ")");
        this.position = position;
    }

    /** Where the transaction's last statement's message is in the source's WAL. */
    public Lsn position() {
        return position;
    }
}
