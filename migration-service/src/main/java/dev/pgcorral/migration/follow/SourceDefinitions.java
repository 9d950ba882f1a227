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
import dev.pgcorral.common.logical.ReplicaIdentity;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The published tables' columns as the source's catalog has them now, as the stream would define them: what a table's
 * first definition in a run is compared with, so that a type changed before it (while the service was down, or the
 * connection was lost) still shows. Only names and types are read.
 */
public final class SourceDefinitions {

    private static final String COLUMNS = """
            SELECT c.oid, n.nspname, c.relname, a.attname, a.atttypid, a.atttypmod
            FROM pg_publication_tables p
            JOIN pg_namespace n ON n.nspname = p.schemaname
            JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE p.pubname = ?
            ORDER BY c.oid, a.attnum""";

    private SourceDefinitions() {
    }

    /** The tables of {@code publication}, by their OIDs on the source. */
    static Map<Integer, Relation> read(ConnectionDetails source, String publication) throws SQLException {
        try (Connection c = source.connect()) {
            return read(c, publication);
        }
    }

    /** As {@link #read(ConnectionDetails, String)}, on {@code c}: in its transaction's snapshot, if it has one. */
    public static Map<Integer, Relation> read(Connection c, String publication) throws SQLException {
        Map<Integer, List<Relation.Column>> columns = new HashMap<>();
        Map<Integer, String[]> names = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(COLUMNS)) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    int oid = (int) rs.getLong(1);
                    names.putIfAbsent(oid, new String[] {rs.getString(2), rs.getString(3)});
                    columns.computeIfAbsent(oid, k -> new ArrayList<>())
                            .add(new Relation.Column(rs.getString(4), (int) rs.getLong(5), rs.getInt(6), false));
                }
            }
        }
        Map<Integer, Relation> relations = new HashMap<>();
        columns.forEach((oid, list) -> relations.put(oid, new Relation(oid, names.get(oid)[0], names.get(oid)[1], ReplicaIdentity.DEFAULT,
                list)));
        return relations;
    }
}
