package dev.pgcorral.replay.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.logical.values.PgTypes;
import dev.pgcorral.common.logical.values.PgValues;
import dev.pgcorral.common.pg.Lsn;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes change log rows into the metadata database with {@code COPY ... FROM STDIN (FORMAT binary)}
 * inside the caller's transaction. The COPY starts with a batch's first row and its data is sent while
 * the batch is still being read (every {@value #SEND_BYTES} bytes), so the server stores rows while the
 * next ones are decoded; {@link #flush()} ends it. While a COPY is open the connection takes no other
 * statement.
 */
final class ChangeWriter {

    private static final String COPY = "COPY replay.changes (session_id, seq, xid, commit_lsn, commit_time, lsn, operation, "
            + "schema_name, table_name, relation, data, old_data, old_kind, statement, search_path) FROM STDIN (FORMAT binary)";
    private static final int FIELDS = 15;
    static final int SEND_BYTES = 64 << 10;

    private final UUID session;
    private final BinaryCopyRows rows = new BinaryCopyRows();
    /** Writes each row's values as one JSON object straight into {@link #rows}: no separator between them. */
    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder().rootValueSeparator((String) null).build()).build();
    private JsonGenerator json;
    private Connection metadata;
    private CopyIn copy;
    private int buffered;

    ChangeWriter(UUID session) {
        this.session = session;
    }

    /**
     * Writes on {@code connection} from now on; a COPY open on an earlier connection is forgotten with it, and
     * so is a row left half-written by a failure.
     */
    void use(Connection connection) {
        metadata = connection;
        copy = null;
        rows.clear();
        buffered = 0;
        json = mapper.createGenerator(rows.stream());
    }

    /** Rows added since the last {@link #flush()} or {@link #discard()}. */
    int buffered() {
        return buffered;
    }

    /**
     * One change log row. {@code data} and {@code old} are stored as JSON objects, column name → typed value
     * (see {@link PgValues#writeJson}; a {@code json} value, unlike {@code jsonb}, as a string holding its exact
     * text); an unchanged TOASTed column is left out (its value is not in the stream), and with {@code oldKeysOnly}
     * so is every column of {@code old} outside the replica identity.
     */
    void add(long seq, long xid, Lsn commitLsn, Instant commitTime, Lsn lsn, String operation, String schema, String table,
             Integer relationVersion, Row data, Row old, boolean oldKeysOnly, String oldKind, String statement, String searchPath)
            throws SQLException {
        if (copy == null) {
            copy = metadata.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
            rows.header();
        }
        rows.startRow(FIELDS);
        rows.uuid(session);
        rows.int8(seq);
        rows.int8(xid);
        rows.int8(commitLsn.value());
        rows.timestamptz(commitTime);
        rows.int8(lsn.value());
        rows.text(operation);
        rows.text(schema);
        rows.text(table);
        rows.int4(relationVersion);
        rowJson(data, false);
        rowJson(old, oldKeysOnly);
        rows.text(oldKind);
        rows.text(statement);
        rows.text(searchPath);
        buffered++;
        if (rows.size() >= SEND_BYTES) {
            send();
        }
    }

    /** Ends the COPY: every row added is then stored in the connection's open transaction. */
    void flush() throws SQLException {
        if (copy == null) {
            return;
        }
        rows.trailer();
        send();
        copy.endCopy();
        copy = null;
        buffered = 0;
    }

    /** Cancels the COPY and forgets its rows (before the transaction is rolled back). */
    void discard() throws SQLException {
        CopyIn open = copy;
        copy = null;
        rows.clear();
        buffered = 0;
        if (open != null && open.isActive()) {
            open.cancelCopy();
        }
    }

    private void send() throws SQLException {
        copy.writeToCopy(rows.bytes(), 0, rows.size());
        rows.clear();
    }

    private void rowJson(Row row, boolean keysOnly) {
        if (row == null) {
            rows.nullField();
            return;
        }
        int field = rows.startField();
        Relation relation = row.relation();
        json.writeStartObject();
        for (int i = 0; i < row.size(); i++) {
            Relation.Column column = relation.columns().get(i);
            if (row.isUnchangedToast(i) || (keysOnly && !column.key())) {
                continue;
            }
            json.writeName(column.name());
            if (column.typeOid() == PgTypes.JSON && !row.isNull(i)) {
                json.writeString(row.text(i)); // json keeps its exact text (whitespace, key order, duplicate keys)
            } else {
                PgValues.writeJson(json, column.typeOid(), row.isNull(i) ? null : row.text(i));
            }
        }
        json.writeEndObject();
        json.flush();
        rows.endField(field);
    }
}
