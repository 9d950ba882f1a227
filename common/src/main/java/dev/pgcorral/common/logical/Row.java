package dev.pgcorral.common.logical;

import java.util.Arrays;

import dev.pgcorral.common.logical.values.PgValues;

/**
 * The values of one row of a {@link Relation}, in its column order, as they came from pgoutput
 * (a new row, an old key or a whole old row). Immutable.
 */
public final class Row {

    private final Relation relation;
    private final ColumnValue[] values;

    Row(Relation relation, ColumnValue[] values) {
        if (values.length != relation.columns().size()) {
            throw new IllegalArgumentException("a row of " + relation.qualifiedName() + " has " + values.length
                    + " values for " + relation.columns().size() + " columns");
        }
        this.relation = relation;
        this.values = values;
    }

    public Relation relation() {
        return relation;
    }

    public int size() {
        return values.length;
    }

    public ColumnValue value(int column) {
        return values[column];
    }

    public boolean isNull(int column) {
        return values[column] instanceof ColumnValue.Null;
    }

    public boolean isUnchangedToast(int column) {
        return values[column] instanceof ColumnValue.UnchangedToast;
    }

    /** The text form, or null for SQL NULL. */
    public String text(int column) {
        ColumnValue value = values[column];
        if (value instanceof ColumnValue.Text t) {
            return t.text();
        }
        if (value instanceof ColumnValue.Null) {
            return null;
        }
        if (value instanceof ColumnValue.UnchangedToast) {
            throw unchangedToast(column);
        }
        throw new IllegalStateException("column " + relation.columns().get(column).name() + " was sent in binary; read it with value()");
    }

    /**
     * The value as a Java object, converted by {@link PgValues#toJava(int, String)} from the
     * column's type; null for SQL NULL; the bytes as sent for a binary value.
     *
     * @throws IllegalStateException for an unchanged TOASTed value, which was not sent
     */
    public Object toJava(int column) {
        ColumnValue value = values[column];
        if (value instanceof ColumnValue.Text t) {
            return PgValues.toJava(relation.columns().get(column).typeOid(), t.text());
        }
        if (value instanceof ColumnValue.Null) {
            return null;
        }
        if (value instanceof ColumnValue.UnchangedToast) {
            throw unchangedToast(column);
        }
        return ((ColumnValue.Binary) value).bytes().clone();
    }

    /** {@link #toJava(int)} of the column named {@code name}. */
    public Object toJava(String name) {
        int column = relation.indexOf(name);
        if (column < 0) {
            throw new IllegalArgumentException(relation.qualifiedName() + " has no column " + name);
        }
        return toJava(column);
    }

    private IllegalStateException unchangedToast(int column) {
        return new IllegalStateException("column " + relation.columns().get(column).name() + " of "
                + relation.qualifiedName() + " is an unchanged TOASTed value: PostgreSQL did not send it");
    }

    @Override
    public String toString() {
        return relation.qualifiedName() + Arrays.toString(values);
    }
}
