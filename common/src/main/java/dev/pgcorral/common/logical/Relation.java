package dev.pgcorral.common.logical;

import java.util.List;

/**
 * A table as pgoutput describes it before its first change in a session, and again after its
 * definition changes.
 *
 * @param id       the table's OID on the source
 * @param schema   its schema ({@code pg_catalog} spelled out, where pgoutput sends an empty name)
 * @param columns  the published columns in order: every row of this relation has as many values
 */
public record Relation(int id, String schema, String table, ReplicaIdentity replicaIdentity, List<Column> columns) {

    public Relation {
        columns = List.copyOf(columns);
    }

    /**
     * @param typeOid      the column's type OID ({@link dev.pgcorral.common.logical.values.PgTypes})
     * @param typeModifier {@code atttypmod}: length, precision and scale; -1 when none
     * @param key          part of the replica identity (the columns an old key carries)
     */
    public record Column(String name, int typeOid, int typeModifier, boolean key) {
    }

    /** The position of {@code name} among the columns, -1 when there is no such column. */
    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code "schema"."table"}, quoted for SQL. */
    public String qualifiedName() {
        return dev.pgcorral.common.pg.Identifiers.quote(schema) + "." + dev.pgcorral.common.pg.Identifiers.quote(table);
    }
}
