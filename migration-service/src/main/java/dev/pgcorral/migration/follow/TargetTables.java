package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.Relation;

/**
 * The destination's side of each source table a stream describes: for every column the source sends,
 * the destination column's type and whether it has an equality operator (json, point and xml do not: a
 * row is then found by the value's text). A source column the destination lacks means the schema changed
 * on the source: the apply stops with {@link ApplyException} naming table and column, instead of failing
 * later on a statement.
 */
final class TargetTables {

    /**
     * @param type     the column's type for a cast, by its catalog name and schema, so without a length or precision
     *                 ({@code pg_catalog.bpchar}: {@code character} alone would mean {@code char(1)} and cut values)
     * @param equality {@code =} works on it
     * @param identityAlways {@code GENERATED ALWAYS AS IDENTITY} on the destination: an INSERT must override it, an UPDATE
     *                       may not set it
     * @param nondeterministic its collation is nondeterministic (case-insensitive, say): {@code =} finds values that differ,
     *                         so a row matched by all its values (REPLICA IDENTITY FULL) is matched in the "C" collation
     */
    record Column(String name, String type, boolean equality, boolean key, boolean identityAlways, boolean nondeterministic) {
    }

    /** A table as the apply writes it: its name for SQL and its columns in the source's order. */
    /**
     * @param version        unique per lookup: statements prepared for an older definition are not reused
     * @param onlyKeyUnique  no unique or exclusion index but the replica identity's, and no trigger or rule that fires during
     *                       the apply ({@code ENABLE ALWAYS} or {@code REPLICA}): changes may wait in runs ({@link RowRuns})
     * @param partitioned    a partitioned table (its changes come as its own where the publication publishes them via the
     *                       root): statements reach its partitions' rows
     */
    record Target(Relation relation, String qualifiedName, List<Column> columns, long version, boolean onlyKeyUnique,
                  boolean partitioned) {

        /** How UPDATE, DELETE and TRUNCATE name the table: {@code ONLY} the table's own rows, or a partitioned table's partitions'. */
        String only() {
            return (partitioned ? "" : "ONLY ") + qualifiedName;
        }

        /** {@code OVERRIDING SYSTEM VALUE} where a column is {@code GENERATED ALWAYS AS IDENTITY}, so an INSERT keeps the source's value. */
        String overriding() {
            return columns.stream().anyMatch(Column::identityAlways) ? " OVERRIDING SYSTEM VALUE" : "";
        }
    }

    private static final String COLUMNS = """
            SELECT a.attname, format('%I.%I', tn.nspname, t.typname), a.attgenerated <> '', a.attidentity = 'a', a.atttypid, a.atttypmod,
                   tn.nspname || '.' || t.typname,
                   coalesce((SELECT NOT c.collisdeterministic FROM pg_collation c WHERE c.oid = a.attcollation), false),
                   EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                           WHERE oc.opcdefault AND am.amname = 'btree'
                             AND oc.opcintype IN (e.oid, CASE e.typtype WHEN 'e' THEN 'anyenum'::regtype WHEN 'r' THEN 'anyrange'::regtype
                                                                       WHEN 'm' THEN 'anymultirange'::regtype END))
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            JOIN pg_namespace tn ON tn.oid = t.typnamespace
            JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            JOIN pg_type e ON e.oid = CASE WHEN b.typcategory = 'A' AND b.typelem <> 0 THEN b.typelem ELSE b.oid END
            WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped""";

    /** @param typeName the type's schema and name, unquoted */
    private record Found(String type, boolean equality, boolean generated, boolean identityAlways, long typeOid, int typeModifier,
                         String typeName, boolean nondeterministic) {
    }

    /** Type OIDs below this are PostgreSQL's own, the same on every server ({@code FirstNormalObjectId}). */
    private static final long FIRST_USER_OID = 16384;

    private static final String ONLY_KEY_UNIQUE = """
            SELECT NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = to_regclass(?) AND (i.indisunique OR i.indisexclusion)
                                                       AND NOT i.indisprimary AND NOT i.indisreplident)
               AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = to_regclass(?) AND t.tgenabled IN ('A', 'R'))
               AND NOT EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = to_regclass(?) AND r.ev_enabled IN ('A', 'R')),
                   (SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass(?))""";

    private final Connection destination;
    private final Map<Integer, Target> byRelation = new HashMap<>();
    /**
     * The stream's latest definition of each relation, which a redefinition is compared with. The caller keeps it across
     * sessions and reconnects: the stream defines every relation again after one, and a type changed meanwhile would
     * otherwise have nothing to be compared with.
     */
    private final Map<Integer, Relation> definitions;
    /** The source's own types the stream named (its Type messages), by their OIDs there: {@code schema.name}, unquoted. */
    private final Map<Integer, String> sourceTypes = new HashMap<>();
    private long versions;

    /** @param definitions the stream's definitions so far (empty at first), kept by the caller and updated here */
    TargetTables(Connection destination, Map<Integer, Relation> definitions) {
        this.destination = destination;
        this.definitions = definitions;
    }

    /** A type of the source's own (not PostgreSQL's) that the stream named before a relation that uses it. */
    void sourceType(int oid, String schema, String name) {
        sourceTypes.put(oid, schema + "." + name);
    }

    /**
     * A relation (re)defined by the stream: looked up on the destination now, so a mismatch shows at once. A column whose
     * type the stream redefines (a schema change on the source) must have the new type on the destination too.
     */
    Target define(Relation relation) throws SQLException {
        Target target = lookUp(relation, definitions.get(relation.id()));
        byRelation.put(relation.id(), target);
        definitions.put(relation.id(), relation);
        return target;
    }

    /** The target of a relation the stream defined; looked up when the stream's definition is newer than ours. */
    Target of(Relation relation) throws SQLException {
        Target target = byRelation.get(relation.id());
        if (target == null || !target.relation().equals(relation)) {
            target = define(relation);
        }
        return target;
    }

    /**
     * Forgets what was looked up (after a rollback: a schema change may have been part of it); the stream's definitions
     * stay, to compare the next ones with.
     */
    void clear() {
        byRelation.clear();
    }

    /** @param before the stream's earlier definition of the relation, in this run; null: none */
    private Target lookUp(Relation relation, Relation before) throws SQLException {
        String name = relation.qualifiedName();
        Map<String, Found> found = new HashMap<>();
        List<String> names = new ArrayList<>(); // the destination's columns, in order
        try (PreparedStatement st = destination.prepareStatement(COLUMNS)) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    found.put(rs.getString(1), new Found(rs.getString(2), rs.getBoolean(9), rs.getBoolean(3), rs.getBoolean(4),
                            rs.getLong(5), rs.getInt(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
        }
        if (found.isEmpty()) {
            throw new TableMissingException(name);
        }
        ColumnSets.check(name, relation.columns().stream().map(Relation.Column::name).toList(), names,
                names.stream().filter(c -> found.get(c).generated()).toList());
        List<Column> columns = new ArrayList<>();
        for (Relation.Column source : relation.columns()) {
            Found column = found.get(source.name());
            if (column.generated()) {
                throw new ApplyException("table " + name + ": column \"" + source.name() + "\" is generated on the destination "
                        + "but sent by the source; make it an ordinary column on the destination, or generated on both");
            }
            if (typeChanged(before, source) && !sameType(source, column)) {
                String type = typeName(source);
                throw new ApplyException("schema change on the source: column \"" + source.name() + "\" of table " + name + " changed its type"
                        + " there, to " + type + "; apply the same change to the destination (ALTER TABLE " + name + " ALTER COLUMN \""
                        + source.name() + "\" TYPE " + type + "), then start the migration again");
            }
            columns.add(new Column(source.name(), column.type(), column.equality(), source.key(), column.identityAlways(),
                    column.nondeterministic()));
        }
        boolean onlyKeyUnique;
        boolean partitioned;
        try (PreparedStatement st = destination.prepareStatement(ONLY_KEY_UNIQUE)) {
            for (int i = 1; i <= 4; i++) {
                st.setString(i, name);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                onlyKeyUnique = rs.getBoolean(1);
                partitioned = rs.getBoolean(2);
            }
        }
        return new Target(relation, name, List.copyOf(columns), ++versions, onlyKeyUnique, partitioned);
    }

    /** Whether the stream defined {@code column} with another type (or length, precision, scale) than before. */
    private static boolean typeChanged(Relation before, Relation.Column column) {
        if (before == null) {
            return false;
        }
        int i = before.indexOf(column.name());
        return i >= 0 && (before.columns().get(i).typeOid() != column.typeOid()
                || before.columns().get(i).typeModifier() != column.typeModifier());
    }

    /** Whether the destination's column has the source column's type; one of the source's own types is matched by name, if known. */
    private boolean sameType(Relation.Column source, Found destination) {
        if (source.typeModifier() != destination.typeModifier()) {
            return false;
        }
        long oid = Integer.toUnsignedLong(source.typeOid());
        if (oid < FIRST_USER_OID) {
            return oid == destination.typeOid();
        }
        String named = sourceTypes.get(source.typeOid());
        return named == null || named.equals(destination.typeName());
    }

    /** The source column's type as SQL names it ({@code numeric(10,4)}). */
    private String typeName(Relation.Column source) throws SQLException {
        if (Integer.toUnsignedLong(source.typeOid()) >= FIRST_USER_OID) {
            return sourceTypes.getOrDefault(source.typeOid(), "(the source's type of OID " + Integer.toUnsignedLong(source.typeOid()) + ")");
        }
        try (PreparedStatement st = destination.prepareStatement("SELECT format_type(?::oid, ?)")) {
            st.setLong(1, Integer.toUnsignedLong(source.typeOid()));
            st.setInt(2, source.typeModifier());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
