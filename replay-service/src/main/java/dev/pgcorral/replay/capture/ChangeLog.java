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
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.common.logical.values.PgJson;
import dev.pgcorral.common.pg.Lsn;

/** Reads a session's change log: pages for the APIs, and every entry in order for time travel. */
public class ChangeLog {

    private static final String COLUMNS = "seq, xid, commit_lsn, commit_time, lsn, operation, schema_name, table_name, relation, "
            + "data::text, old_data::text, old_kind, statement, search_path";

    private final DataSource metadata;
    private final JdbcClient jdbc;

    public ChangeLog(DataSource metadata) {
        this.metadata = metadata;
        this.jdbc = JdbcClient.create(metadata);
    }

    public List<Change> page(UUID session, ChangeQuery query) {
        List<Object> params = new ArrayList<>();
        String where = where(session, query, params);
        params.add(query.limit());
        params.add(query.offset());
        Map<Integer, List<StoredColumns.Column>> shapes = shapes(session);
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.changes WHERE " + where + " ORDER BY seq "
                        + (query.newestFirst() ? "DESC" : "ASC") + " LIMIT ? OFFSET ?")
                .params(params).query((rs, i) -> map(rs, shapes)).list();
    }

    public long count(UUID session, ChangeQuery query) {
        List<Object> params = new ArrayList<>();
        String where = where(session, query, params);
        return jdbc.sql("SELECT count(*) FROM replay.changes WHERE " + where).params(params).query(Long.class).single();
    }

    /** How many entries belong to transactions that committed at or before {@code position}. */
    public long entriesUpTo(UUID session, Lsn position) {
        return jdbc.sql("SELECT coalesce(max(seq), 0) FROM replay.changes WHERE session_id = ? AND commit_lsn <= ?")
                .params(session, stored(position)).query(Long.class).single();
    }

    /** Every entry after {@code afterSeq} up to {@code toSeq}, in order, read with a cursor. */
    public void forEach(UUID session, long afterSeq, long toSeq, Consumer<Change> action) throws SQLException {
        Map<Integer, List<StoredColumns.Column>> shapes = shapes(session);
        try (Connection c = metadata.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM replay.changes "
                    + "WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq")) {
                st.setFetchSize(2000);
                st.setObject(1, session);
                st.setLong(2, afterSeq);
                st.setLong(3, toSeq);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        action.accept(map(rs, shapes));
                    }
                }
            } finally {
                c.rollback();
            }
        }
    }

    private Map<Integer, List<StoredColumns.Column>> shapes(UUID session) {
        Map<Integer, List<StoredColumns.Column>> shapes = new HashMap<>();
        jdbc.sql("SELECT version, columns::text FROM replay.relations WHERE session_id = ?").param(session)
                .query(rs -> {
                    shapes.put(rs.getInt(1), StoredColumns.parse(rs.getString(2)));
                });
        return shapes;
    }

    private static String where(UUID session, ChangeQuery q, List<Object> params) {
        StringBuilder where = new StringBuilder("session_id = ?");
        params.add(session);
        if (q.table() != null && !q.table().isBlank()) {
            int dot = q.table().indexOf('.');
            if (dot > 0) {
                where.append(" AND schema_name = ? AND table_name = ?");
                params.add(q.table().substring(0, dot));
                params.add(q.table().substring(dot + 1));
            } else {
                where.append(" AND table_name = ?");
                params.add(q.table());
            }
        }
        if (q.operation() != null && !q.operation().isBlank()) {
            where.append(" AND operation = ?");
            params.add(q.operation());
        }
        if (q.xid() != null) {
            where.append(" AND xid = ?");
            params.add(q.xid());
        }
        if (q.afterSeq() != null) {
            where.append(" AND seq > ?");
            params.add(q.afterSeq());
        }
        if (q.toSeq() != null) {
            where.append(" AND seq <= ?");
            params.add(q.toSeq());
        }
        if (q.fromLsn() != null) {
            where.append(" AND commit_lsn >= ?");
            params.add(stored(q.fromLsn()));
        }
        if (q.toLsn() != null) {
            where.append(" AND commit_lsn <= ?");
            params.add(stored(q.toLsn()));
        }
        return where.toString();
    }

    /**
     * A position as stored (bigint): LSNs compare unsigned, and one past 8000000000000000/0 (none a server
     * reaches) would be negative; it is taken as the largest.
     */
    private static long stored(Lsn position) {
        return position.value() < 0 ? Long.MAX_VALUE : position.value();
    }

    private static Change map(ResultSet rs, Map<Integer, List<StoredColumns.Column>> shapes) throws SQLException {
        int version = rs.getInt("relation");
        List<StoredColumns.Column> columns = rs.wasNull() ? List.of() : shapes.getOrDefault(version, List.of());
        String data = rs.getString("data");
        String oldData = rs.getString("old_data");
        return new Change(rs.getLong("seq"), rs.getLong("xid"), new Lsn(rs.getLong("commit_lsn")),
                rs.getTimestamp("commit_time").toInstant(), new Lsn(rs.getLong("lsn")), rs.getString("operation"),
                rs.getString("schema_name"), rs.getString("table_name"), columns,
                data == null ? null : PgJson.mapper().readTree(data), oldData == null ? null : PgJson.mapper().readTree(oldData),
                rs.getString("old_kind"), rs.getString("statement"), rs.getString("search_path"));
    }
}
