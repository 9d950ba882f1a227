package dev.pgcorral.replay.travel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.values.PgTypes;
import dev.pgcorral.common.logical.values.PgValues;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.replay.capture.Change;
import dev.pgcorral.replay.capture.StoredColumns;
import tools.jackson.databind.JsonNode;

/**
 * Applies change log entries to a database, in order, on one connection whose transaction the caller
 * commits. Rows are found by their key columns (the replica identity) or, for a table without one,
 * by all old values compared as text, one row at a time; a row that is not there is an error rather
 * than a silent difference. An UPDATE or DELETE reaches only its table's own rows ({@code ONLY}): under inheritance a
 * parent's change leaves its child tables' rows alone (they have changes of their own). Runs with {@code session_replication_role = replica} where allowed, so the
 * target's triggers do not fire a second time for rows their source triggers already wrote.
 */
final class Applier implements AutoCloseable {

    private final Connection target;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final String originalSearchPath;

    Applier(Connection target) throws SQLException {
        this.target = target;
        target.setAutoCommit(false);
        try (Statement st = target.createStatement()) {
            try {
                st.execute("SET session_replication_role = replica");
            } catch (SQLException notSuperuser) {
                target.rollback();
            }
            try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                rs.next();
                originalSearchPath = rs.getString(1);
            }
        }
        target.commit();
    }

    void apply(Change change) throws SQLException {
        try {
            switch (change.operation()) {
                case "INSERT" -> insert(change);
                case "UPDATE" -> update(change);
                case "DELETE" -> delete(change);
                case "TRUNCATE" -> execute(change.statement());
                case "DDL" -> ddl(change);
                default -> throw new IllegalStateException("unknown operation " + change.operation());
            }
        } catch (SQLException e) {
            throw new SQLException("entry " + change.seq() + " (" + change.operation() + describe(change) + "): " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    private void insert(Change c) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        collect(c, c.data(), names, values);
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table(c)).append(" (");
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Identifiers.quote(names.get(i)));
            params.append(i == 0 ? "" : ", ").append('?');
        }
        sql.append(") VALUES (").append(params).append(')');
        run(sql.toString(), values, c, false);
    }

    private void update(Change c) throws SQLException {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        collect(c, c.data(), names, values);
        StringBuilder sql = new StringBuilder("UPDATE ONLY ").append(table(c)).append(" SET ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Identifiers.quote(names.get(i))).append(" = ?");
        }
        List<String> params = new ArrayList<>(values);
        sql.append(where(c, params));
        run(sql.toString(), params, c, true);
    }

    private void delete(Change c) throws SQLException {
        List<String> params = new ArrayList<>();
        String sql = "DELETE FROM ONLY " + table(c) + where(c, params);
        run(sql, params, c, true);
    }

    /** The row's identity: the old key or row when sent, else the key columns of the new row. */
    private String where(Change c, List<String> params) {
        boolean full = "FULL".equals(c.oldKind());
        JsonNode identity = c.oldData() != null ? c.oldData() : c.data();
        List<String> conditions = new ArrayList<>();
        for (StoredColumns.Column column : c.columns()) {
            if (!identity.has(column.name()) || (!full && !column.key())) {
                continue;
            }
            JsonNode value = identity.get(column.name());
            String name = Identifiers.quote(column.name());
            if (full) {
                // any type, equality operator or not (json, point): compare the value's text as the target writes it
                conditions.add(value.isNull() ? name + " IS NULL" : name + "::text = CAST(CAST(? AS text) AS " + column.type() + ")::text");
            } else {
                conditions.add(name + " = CAST(CAST(? AS text) AS " + column.type() + ")");
            }
            if (!value.isNull()) {
                params.add(literal(column, value));
            }
        }
        if (conditions.isEmpty()) {
            throw new IllegalStateException("entry " + c.seq() + ": " + table(c) + " has no replica identity to find the row by");
        }
        String condition = String.join(" AND ", conditions);
        return full ? " WHERE ctid = (SELECT ctid FROM ONLY " + table(c) + " WHERE " + condition + " LIMIT 1)" : " WHERE " + condition;
    }

    private void ddl(Change c) throws SQLException {
        try (PreparedStatement st = target.prepareStatement("SELECT set_config('search_path', ?, true)")) {
            st.setString(1, c.searchPath() == null ? originalSearchPath : c.searchPath());
            st.execute();
            execute(c.statement());
            st.setString(1, originalSearchPath);
            st.execute();
        }
        statements.values().forEach(Applier::closeQuietly);
        statements.clear();
    }

    private void execute(String sql) throws SQLException {
        try (Statement st = target.createStatement()) {
            st.execute(sql);
        }
    }

    private void collect(Change c, JsonNode row, List<String> names, List<String> values) {
        for (StoredColumns.Column column : c.columns()) {
            if (row.has(column.name())) {
                names.add(column.name());
                JsonNode value = row.get(column.name());
                values.add(literal(column, value));
            }
        }
    }

    /** PostgreSQL input text of a stored value; a json value is stored as its exact text. */
    private static String literal(StoredColumns.Column column, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        return column.oid() == PgTypes.JSON && value.isString() ? value.asString() : PgValues.toSqlLiteral(column.oid(), value);
    }

    private void run(String sql, List<String> values, Change c, boolean mustFindRow) throws SQLException {
        PreparedStatement st = statements.get(sql);
        if (st == null) {
            st = target.prepareStatement(sql);
            statements.put(sql, st);
        }
        for (int i = 0; i < values.size(); i++) {
            st.setObject(i + 1, values.get(i), Types.OTHER);
        }
        int rows = st.executeUpdate();
        if (mustFindRow && rows == 0) {
            throw new SQLException("the row to " + c.operation().toLowerCase(java.util.Locale.ROOT) + " is not in " + table(c)
                    + " (identity " + (c.oldData() != null ? c.oldData() : c.data()) + ")");
        }
    }

    private static String table(Change c) {
        return Identifiers.quote(c.schema()) + "." + Identifiers.quote(c.table());
    }

    private static String describe(Change c) {
        return c.table() == null ? "" : " on " + c.schema() + "." + c.table();
    }

    @Override
    public void close() {
        Iterator<PreparedStatement> it = statements.values().iterator();
        while (it.hasNext()) {
            closeQuietly(it.next());
            it.remove();
        }
    }

    private static void closeQuietly(PreparedStatement st) {
        try {
            st.close();
        } catch (SQLException ignored) {
            // closing a statement of a connection that may be gone
        }
    }
}
