package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.round;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The data a clone benchmark copies: {@code pgbench -i -s <scale> --foreign-keys} (four tables, primary and
 * foreign keys) plus {@code documents}, rows of a random text body of 4–6 KB (hex digests: stored TOASTed and
 * not compressible away), a {@code bigserial} id (its sequence must come along) and a second index.
 */
record CloneDataSet(int scale, int documents) {

    /** Builds the data in {@code db} (empty), then freezes and analyzes it so no background work runs while it is cloned. */
    void build(PgClients programs, ConnectionDetails db) throws Exception {
        log("pgbench -i -s %d --foreign-keys in %s", scale, db.database());
        programs.pgbench(List.of("-i", "-s", Integer.toString(scale), "--foreign-keys", "-q"));
        log("%d documents in %s", documents, db.database());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE documents (
                        id bigserial PRIMARY KEY,
                        title text NOT NULL,
                        body text NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now())""");
            // 128 to 192 digests of 32 hex characters each: 4,096 to 6,144 bytes; the subquery names g, so it runs per row
            st.execute("INSERT INTO documents (title, body) SELECT 'document ' || g,"
                    + " (SELECT string_agg(md5(random()::text || g || ':' || i), '') FROM generate_series(1, 128 + g % 65) i)"
                    + " FROM generate_series(1, " + documents + ") g");
            st.execute("CREATE INDEX documents_created_at ON documents (created_at, title)");
            st.execute("VACUUM (FREEZE, ANALYZE)");
            st.execute("CHECKPOINT");
        }
    }

    /** Rows per table, the database's size and how the documents' bodies are stored, for the JSON. */
    static Map<String, Object> describe(ConnectionDetails db, Map<String, CloneCompare.Table> tables) throws SQLException {
        Map<String, Object> json = new LinkedHashMap<>();
        long bytes = sizeBytes(db);
        json.put("mb", round(bytes / 1048576.0));
        Map<String, Object> rows = new LinkedHashMap<>();
        tables.forEach((name, table) -> rows.put(name, table.rows()));
        json.put("rows", rows);
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT avg(octet_length(body)), avg(pg_column_size(body)),"
                     + " pg_total_relation_size('documents'), pg_relation_size(reltoastrelid)"
                     + " FROM documents, pg_class WHERE pg_class.oid = 'documents'::regclass GROUP BY 3, 4")) {
            if (rs.next()) {
                json.put("documents_body_avg_bytes", Math.round(rs.getDouble(1)));
                json.put("documents_body_avg_stored_bytes", Math.round(rs.getDouble(2)));
                json.put("documents_total_mb", round(rs.getLong(3) / 1048576.0));
                json.put("documents_toast_mb", round(rs.getLong(4) / 1048576.0));
            }
        }
        return json;
    }

    static long sizeBytes(ConnectionDetails db) throws SQLException {
        return Long.parseLong(PgClients.query(db, "SELECT pg_database_size(current_database())"));
    }
}
