package dev.pgcorral.replay.capture;

import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.ReplicaIdentity;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The columns of a stored table version ({@code replay.relations.columns}), read back. */
public final class StoredColumns {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * @param type  the type's name on the source, as {@code format_type} spells it (e.g. {@code character varying(10)})
     * @param oid   the type's OID on the source
     * @param key   part of the replica identity
     */
    public record Column(String name, String type, int oid, int typmod, boolean key) {
    }

    private StoredColumns() {
    }

    public static List<Column> parse(String columnsJson) {
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : JSON.readTree(columnsJson)) {
            columns.add(new Column(c.get("name").asString(), c.get("type").asString(), (int) c.get("oid").asLong(),
                    c.get("typmod").asInt(), c.get("key").asBoolean()));
        }
        return columns;
    }

    static Relation toRelation(int relid, String schema, String table, String columnsJson) {
        List<Relation.Column> columns = new ArrayList<>();
        for (Column c : parse(columnsJson)) {
            columns.add(new Relation.Column(c.name(), c.oid(), c.typmod(), c.key()));
        }
        return new Relation(relid, schema, table, ReplicaIdentity.DEFAULT, columns);
    }

    /** Same table name and columns (replica identity aside: it does not change how values are stored). */
    static boolean sameShape(Relation a, Relation b) {
        return a.schema().equals(b.schema()) && a.table().equals(b.table()) && a.columns().equals(b.columns());
    }
}
