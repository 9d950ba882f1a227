package dev.pgcorral.common.logical;

/**
 * One column of a row as pgoutput sends it: SQL NULL, an unchanged TOASTed value that was not sent,
 * or the value in its text form (in binary when the stream asked for binary).
 */
public sealed interface ColumnValue {

    Null NULL = new Null();
    UnchangedToast UNCHANGED_TOAST = new UnchangedToast();

    /** SQL NULL. */
    record Null() implements ColumnValue {
    }

    /**
     * A TOASTed value the change did not touch: PostgreSQL did not send it and it is still what it
     * was. Not a NULL: an UPDATE applied elsewhere must leave such a column alone.
     */
    record UnchangedToast() implements ColumnValue {
    }

    /** The value in PostgreSQL's text output form. */
    record Text(String text) implements ColumnValue {
    }

    /** The value in the type's binary send form (streams opened with binary values). */
    record Binary(byte[] bytes) implements ColumnValue {
    }
}
