package dev.pgcorral.migration.follow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import dev.pgcorral.common.logical.ColumnValue;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.OldRow;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.pg.Identifiers;

/**
 * The SQL for one row change: a statement with parameters, one per shape of change (table, operation,
 * the columns set, how each identity column is matched), which the apply prepares once per session,
 * and the values to run it with as text, NULL as null. Rules:
 * <ul>
 * <li>an UPDATE sets only the columns sent: an unchanged TOASTed value (not sent) is left as it is;</li>
 * <li>UPDATE and DELETE find their row by the replica identity: the old key (or the new row's key
 * columns when the key did not change), or every old column under REPLICA IDENTITY FULL, then one
 * row of possibly equal ones ({@code ctid}); NULL matches as {@code IS NULL}; under FULL each value matches as itself, not
 * as one its type's {@code =} deems equal (also by its text);</li>
 * <li>a type without {@code =} (json, point, xml) is matched by its text;</li>
 * <li>UPDATE and DELETE reach only the table's own rows ({@code ONLY}): a child table under inheritance gets its own changes;
 * a partitioned table's (sent as its own where the publication publishes via the root) reach its partitions;</li>
 * <li>a column {@code GENERATED ALWAYS AS IDENTITY} on the destination takes the source's value on INSERT ({@code OVERRIDING
 * SYSTEM VALUE}); an UPDATE does not set it but finds the row by it too, so a changed value stops the apply rather than
 * being lost;</li>
 * <li>a table with no replica identity cannot be matched: {@link ApplyException} saying how to fix it.</li>
 * </ul>
 * A run of changes to one table ({@link RowRuns}) is written by one statement, {@link #many}: each column's values
 * travel as one {@code text[]} parameter, unnested together and cast to the column's type, so the statement is
 * prepared once per shape whatever the run's length.
 */
final class ChangeStatements {

    /**
     * @param sql          the statement, built only when its shape is new to the session
     * @param expectedRows 1 for an UPDATE or DELETE (a row must be found), -1 when any count is fine
     */
    record Change(String shape, Supplier<String> sql, List<String> values, int expectedRows) {
    }

    private ChangeStatements() {
    }

    static Change insert(TargetTables.Target target, Insert insert) {
        Row row = insert.newRow();
        StringBuilder shape = new StringBuilder("I");
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>(row.size());
        for (int i = 0; i < row.size(); i++) {
            shape.append(row.isUnchangedToast(i) ? '-' : '+');
            if (!row.isUnchangedToast(i)) {
                names.add(Identifiers.quote(target.columns().get(i).name()));
                values.add(row.text(i));
            }
        }
        return new Change(shape.toString(), () -> {
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(target.qualifiedName()).append(" (")
                    .append(String.join(", ", names)).append(")").append(target.overriding()).append(" VALUES (");
            for (int i = 1; i <= names.size(); i++) {
                sql.append(i == 1 ? "$" : ", $").append(i);
            }
            return sql.append(')').toString();
        }, values, -1);
    }

    static Change update(TargetTables.Target target, Update update) {
        Row row = update.newRow();
        StringBuilder shape = new StringBuilder("U");
        List<String> values = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        List<String> unchangeable = new ArrayList<>(); // identity ALWAYS: matched by its new value instead of set
        for (int i = 0; i < row.size(); i++) {
            boolean sent = !row.isUnchangedToast(i);
            shape.append(sent ? '+' : '-');
            if (sent) {
                values.add(row.text(i));
                String name = Identifiers.quote(target.columns().get(i).name());
                if (target.columns().get(i).identityAlways()) {
                    unchangeable.add(row.isNull(i) ? name + " IS NULL" : name + " = $" + values.size());
                } else {
                    sets.add(name + " = $" + values.size());
                }
            }
        }
        Row identity = update.oldKind() == OldRow.NONE ? row : update.oldRow();
        for (int i = 0; i < row.size() && update.oldKind() != OldRow.NONE; i++) { // an old row: the key, or every column, may have changed
            TargetTables.Column column = target.columns().get(i);
            if (column.identityAlways() && (column.key() || update.oldKind() == OldRow.FULL) && !row.isUnchangedToast(i)
                    && !Objects.equals(identity.text(i), row.text(i))) {
                throw new ApplyException("table " + target.qualifiedName() + ": an UPDATE on the source changed column \""
                        + column.name() + "\", which is GENERATED ALWAYS AS IDENTITY on the destination, where only DEFAULT may be set; "
                        + "run ALTER TABLE " + target.qualifiedName() + " ALTER COLUMN " + Identifiers.quote(column.name())
                        + " SET GENERATED BY DEFAULT on the destination, then start the migration again (after the switchover, SET GENERATED"
                        + " ALWAYS there makes it as it was)");
            }
        }
        Supplier<String> where = where(target, identity, update.oldKind() == OldRow.FULL, "UPDATE", shape.append('|'), values);
        if (sets.isEmpty()) { // nothing to set but identity columns: a no-op UPDATE that still finds its row
            String any = target.columns().stream().filter(c -> !c.identityAlways()).map(c -> Identifiers.quote(c.name())).findFirst()
                    .orElseThrow(() -> new ApplyException("table " + target.qualifiedName() + " has only identity columns GENERATED ALWAYS "
                            + "on the destination, which an UPDATE may not set; make them GENERATED BY DEFAULT there"));
            sets.add(any + " = " + any);
        }
        String also = unchangeable.isEmpty() ? "" : " AND " + String.join(" AND ", unchangeable);
        return new Change(shape.toString(), () -> "UPDATE " + target.only() + " SET " + String.join(", ", sets) + where.get() + also,
                values, 1);
    }

    /**
     * Whether an UPDATE run of the table can be written by {@link #many}: a column that is not part of the key to set,
     * and a key whose columns all have {@code =}.
     */
    static boolean manyUpdatable(TargetTables.Target target) {
        boolean keyed = false;
        boolean other = false;
        for (TargetTables.Column column : target.columns()) {
            if (column.key() || column.identityAlways()) { // identity ALWAYS: matched, not set
                keyed |= column.key();
                if (!column.equality()) {
                    return false;
                }
            } else {
                other = true;
            }
        }
        return keyed && other;
    }

    /**
     * The statement writing a run of two or more rows, each with every column: INSERTs, or UPDATEs that set every
     * column but the key's and find each row by its (unchanged) key. Every UPDATE must find its row.
     */
    static Change many(RowRuns.Run run) {
        TargetTables.Target target = run.target();
        List<TargetTables.Column> columns = target.columns();
        boolean insert = run.kind() == RowRuns.Kind.INSERT;
        List<String> values = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            StringBuilder array = new StringBuilder("{");
            for (RowRuns.Pending pending : run.rows()) {
                if (array.length() > 1) {
                    array.append(',');
                }
                appendElement(array, pending.row().text(i));
            }
            values.add(array.append('}').toString());
        }
        Supplier<String> sql = () -> {
            List<String> params = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int p = 1; p <= columns.size(); p++) {
                params.add("$" + p + "::text[]");
                names.add("p" + p);
            }
            String unnest = "unnest(" + String.join(", ", params) + ") AS v(" + String.join(", ", names) + ")";
            List<String> targetColumns = new ArrayList<>();
            List<String> casts = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int p = 0; p < columns.size(); p++) {
                TargetTables.Column column = columns.get(p);
                String name = Identifiers.quote(column.name());
                String value = "v.p" + (p + 1) + "::" + column.type();
                if (insert) {
                    targetColumns.add(name);
                    casts.add(value);
                } else if (column.key() || column.identityAlways()) {
                    keys.add("d." + name + " = " + value);
                } else {
                    casts.add(name + " = " + value);
                }
            }
            return insert
                    ? "INSERT INTO " + target.qualifiedName() + " (" + String.join(", ", targetColumns) + ")" + target.overriding() + " SELECT "
                            + String.join(", ", casts) + " FROM " + unnest
                    : "UPDATE " + target.only() + " AS d SET " + String.join(", ", casts) + " FROM " + unnest + " WHERE "
                            + String.join(" AND ", keys);
        };
        return new Change("M" + run.kind(), sql, values, insert ? -1 : run.size());
    }

    /** An element of an array literal: NULL, or the value double-quoted with {@code "} and {@code \} escaped. */
    private static void appendElement(StringBuilder array, String value) {
        if (value == null) {
            array.append("NULL");
            return;
        }
        if (value.indexOf('"') < 0 && value.indexOf('\\') < 0) {
            array.append('"').append(value).append('"');
            return;
        }
        array.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                array.append('\\');
            }
            array.append(c);
        }
        array.append('"');
    }

    static Change delete(TargetTables.Target target, Delete delete) {
        StringBuilder shape = new StringBuilder("D");
        List<String> values = new ArrayList<>();
        if (delete.oldRow() == null) {
            throw noIdentity(target, "DELETE");
        }
        Supplier<String> where = where(target, delete.oldRow(), delete.oldKind() == OldRow.FULL, "DELETE", shape, values);
        return new Change(shape.toString(), () -> "DELETE FROM " + target.only() + where.get(), values, 1);
    }

    /** The condition finding the row (built when asked); its parameters appended to {@code values}, its form to {@code shape}. */
    private static Supplier<String> where(TargetTables.Target target, Row identity, boolean full, String operation, StringBuilder shape,
                                List<String> values) {
        List<String> conditions = new ArrayList<>();
        for (int i = 0; i < identity.size(); i++) {
            TargetTables.Column column = target.columns().get(i);
            ColumnValue value = identity.value(i);
            if (!(full || column.key()) || value instanceof ColumnValue.UnchangedToast) {
                shape.append('_');
                continue;
            }
            String name = Identifiers.quote(column.name());
            if (value instanceof ColumnValue.Null) {
                shape.append('n');
                conditions.add(name + " IS NULL");
            } else if (column.equality() && full && column.nondeterministic()) {
                shape.append('c'); // the very value: not one its collation only deems equal
                values.add(identity.text(i));
                conditions.add(name + " COLLATE \"C\" = $" + values.size());
            } else if (column.equality() && full) {
                // the very value, not one the type's = only deems equal (1.0 and 1.00, 0 and -0, '1 day' and '24 hours',
                // citext's 'a' and 'A'); the = first, which an index can serve
                shape.append('x');
                values.add(identity.text(i));
                conditions.add(name + " = $" + values.size() + " AND " + name + "::text = $" + values.size() + "::" + column.type() + "::text");
            } else if (column.equality()) {
                shape.append('e');
                values.add(identity.text(i));
                conditions.add(name + " = $" + values.size());
            } else {
                shape.append('t');
                values.add(identity.text(i));
                conditions.add(name + "::text = $" + values.size() + "::" + column.type() + "::text");
            }
        }
        if (conditions.isEmpty()) {
            throw noIdentity(target, operation);
        }
        return () -> {
            String condition = String.join(" AND ", conditions);
            String row = target.partitioned() ? "tableoid, ctid" : "ctid"; // a ctid is unique within one partition only
            return full ? " WHERE (" + row + ") = (SELECT " + row + " FROM " + target.only() + " WHERE " + condition + " LIMIT 1)"
                    : " WHERE " + condition;
        };
    }

    private static ApplyException noIdentity(TargetTables.Target target, String operation) {
        String table = target.qualifiedName();
        return new ApplyException("table " + table + " has no replica identity (" + ReplicaIdentityAdvice.CAUSES + "), so its " + operation
                + " cannot be matched to a row on the destination; on the source, " + ReplicaIdentityAdvice.FIX
                + ", then start the migration again (a change the source made before that still comes as it was: a clone_and_follow "
                + "migration then needs a fresh clone, by a stop, which drops its slot, and a start; a follow_only one, a new slot and copy)");
    }
}
