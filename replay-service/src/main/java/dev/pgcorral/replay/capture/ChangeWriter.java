package dev.pgcorral.replay.capture;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

import org.postgresql.PGConnection;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.logical.values.PgTypes;
import dev.pgcorral.common.logical.values.PgValues;
import dev.pgcorral.common.pg.Lsn;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes change log rows into the metadata database with {@code COPY ... FROM STDIN} (text format),
 * inside the caller's transaction: rows are buffered and sent when {@link #flush()} is called.
 */
final class ChangeWriter {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSx").withZone(ZoneOffset.UTC);
    private static final String COPY = "COPY replay.changes (session_id, seq, xid, commit_lsn, commit_time, lsn, operation, "
            + "schema_name, table_name, relation, data, old_data, old_kind, statement, search_path) FROM STDIN";

    private final String sessionField;
    private Instant lastCommitTime;
    private String lastCommitTimeText;
    private final JsonMapper json = JsonMapper.builder().build();
    private final StringBuilder rows = new StringBuilder(1 << 16);
    private int buffered;

    ChangeWriter(UUID session) {
        this.sessionField = session + "\t";
    }

    int buffered() {
        return buffered;
    }

    /** One change log row; {@code data} and {@code oldData} are JSON objects or null. */
    void add(long seq, long xid, Lsn commitLsn, Instant commitTime, Lsn lsn, String operation, String schema, String table,
             Integer relationVersion, String data, String oldData, String oldKind, String statement, String searchPath) {
        rows.append(sessionField);
        rows.append(seq).append('\t').append(xid).append('\t').append(commitLsn.value()).append('\t');
        if (!commitTime.equals(lastCommitTime)) { // every row of a transaction has its commit time
            lastCommitTime = commitTime;
            lastCommitTimeText = TIMESTAMP.format(commitTime);
        }
        rows.append(lastCommitTimeText).append('\t');
        rows.append(lsn.value()).append('\t');
        field(operation).append('\t');
        field(schema).append('\t');
        field(table).append('\t');
        field(relationVersion == null ? null : relationVersion.toString()).append('\t');
        field(data).append('\t');
        field(oldData).append('\t');
        field(oldKind).append('\t');
        field(statement).append('\t');
        field(searchPath).append('\n');
        buffered++;
    }

    /** Sends the buffered rows on {@code metadata} (within its open transaction). */
    void flush(Connection metadata) throws SQLException {
        if (buffered == 0) {
            return;
        }
        try {
            metadata.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new java.io.StringReader(rows.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        discard();
    }

    void discard() {
        rows.setLength(0);
        buffered = 0;
    }

    /**
     * A row's values as a JSON object, column name → typed value (see {@link PgValues#writeJson}; a {@code json}
     * value, unlike {@code jsonb}, as a string holding its exact text); an unchanged
     * TOASTed column is left out (its value is not in the stream), and with {@code keysOnly} so is every column
     * outside the replica identity.
     */
    String rowJson(Row row, boolean keysOnly) {
        Relation relation = row.relation();
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i < row.size(); i++) {
                Relation.Column column = relation.columns().get(i);
                if (row.isUnchangedToast(i) || (keysOnly && !column.key())) {
                    continue;
                }
                g.writeName(column.name());
                if (column.typeOid() == PgTypes.JSON && !row.isNull(i)) {
                    g.writeString(row.text(i)); // json keeps its exact text (whitespace, key order, duplicate keys)
                } else {
                    PgValues.writeJson(g, column.typeOid(), row.isNull(i) ? null : row.text(i));
                }
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    /** A value in COPY's text format: backslash, newline, carriage return and tab escaped; null as {@code \N}. */
    private StringBuilder field(String value) {
        if (value == null) {
            return rows.append("\\N");
        }
        int clean = 0;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            String escaped = ch == '\\' ? "\\\\" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : ch == '\t' ? "\\t" : null;
            if (escaped != null) {
                rows.append(value, clean, i).append(escaped);
                clean = i + 1;
            }
        }
        return rows.append(value, clean, value.length());
    }
}
