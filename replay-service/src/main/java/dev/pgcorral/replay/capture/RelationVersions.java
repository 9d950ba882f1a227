package dev.pgcorral.replay.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shapes of a session's captured tables: every time the stream describes a table differently (a
 * column added, dropped, renamed, retyped) a new version is stored, and entries refer to the version
 * their values follow. Type names are read from the source ({@code format_type}).
 */
final class RelationVersions {

    /** A relation as stored: its version and its columns as JSON. */
    record Version(int version, Relation relation) {
    }

    private final UUID session;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<Integer, Version> current = new HashMap<>();
    private final List<PendingVersion> pending = new ArrayList<>();
    private int maxVersion;

    private record PendingVersion(Version version, String columns) {
    }

    RelationVersions(UUID session) {
        this.session = session;
    }

    /** Loads the latest version of every table stored so far. */
    void load(Connection metadata) throws SQLException {
        current.clear();
        pending.clear();
        try (PreparedStatement st = metadata.prepareStatement("SELECT DISTINCT ON (relid) version, relid, schema_name, table_name, columns::text "
                + "FROM replay.relations WHERE session_id = ? ORDER BY relid, version DESC")) {
            st.setObject(1, session);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Relation relation = StoredColumns.toRelation((int) rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5));
                    current.put(relation.id(), new Version(rs.getInt(1), relation));
                }
            }
        }
        try (PreparedStatement st = metadata.prepareStatement("SELECT coalesce(max(version), 0) FROM replay.relations WHERE session_id = ?")) {
            st.setObject(1, session);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                maxVersion = rs.getInt(1);
            }
        }
    }

    /** The version entries of {@code relation} refer to; a new one (stored with the next batch) when it changed. */
    Version observe(Relation relation, ConnectionDetails source) throws SQLException {
        Version known = current.get(relation.id());
        if (known != null && StoredColumns.sameShape(known.relation(), relation)) {
            return known;
        }
        Version version = new Version(++maxVersion, relation);
        current.put(relation.id(), version);
        pending.add(new PendingVersion(version, columnsJson(relation, typeNames(relation, source))));
        return version;
    }

    /** Writes the versions made since the last call, inside the caller's transaction. */
    void writePending(Connection metadata) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        try (PreparedStatement st = metadata.prepareStatement("INSERT INTO replay.relations "
                + "(session_id, version, relid, schema_name, table_name, columns) VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
            for (PendingVersion p : pending) {
                st.setObject(1, session);
                st.setInt(2, p.version().version());
                st.setLong(3, Integer.toUnsignedLong(p.version().relation().id()));
                st.setString(4, p.version().relation().schema());
                st.setString(5, p.version().relation().table());
                st.setString(6, p.columns());
                st.addBatch();
            }
            st.executeBatch();
        }
        pending.clear();
    }

    /** Forgets what was not written (the metadata transaction rolled back). */
    void discardPending(Connection metadata) throws SQLException {
        load(metadata);
    }

    private String columnsJson(Relation relation, List<String> typeNames) {
        ArrayNode columns = json.createArrayNode();
        for (int i = 0; i < relation.columns().size(); i++) {
            Relation.Column column = relation.columns().get(i);
            ObjectNode c = columns.addObject();
            c.put("name", column.name());
            c.put("type", typeNames.get(i));
            c.put("oid", Integer.toUnsignedLong(column.typeOid()));
            c.put("typmod", column.typeModifier());
            c.put("key", column.key());
        }
        return json.writeValueAsString(columns);
    }

    private static List<String> typeNames(Relation relation, ConnectionDetails source) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = source.connect(); PreparedStatement st = c.prepareStatement("SELECT format_type(?::oid, ?)")) {
            for (Relation.Column column : relation.columns()) {
                st.setLong(1, Integer.toUnsignedLong(column.typeOid()));
                st.setInt(2, column.typeModifier());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    String name = rs.getString(1);
                    names.add(name == null || name.equals("???") ? Integer.toUnsignedString(column.typeOid()) : name);
                }
            }
        }
        return names;
    }
}
