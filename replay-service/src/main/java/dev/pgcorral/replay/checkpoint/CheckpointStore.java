package dev.pgcorral.replay.checkpoint;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.common.pg.Lsn;

/** Checkpoints in the metadata store. Lists put the fixed ones first, then by position. */
public class CheckpointStore {

    private static final String COLUMNS = "id, session_id, kind, name, description, created_at, lsn, entry_index, commit_lsn, "
            + "sequences::text, copy_db, copy_state, copy_error";
    private static final String ORDER = " ORDER BY CASE kind WHEN 'CREATION' THEN 0 WHEN 'MIGRATION' THEN 1 ELSE 2 END, lsn, created_at";

    private final JdbcClient jdbc;

    public CheckpointStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Checkpoint c) {
        jdbc.sql("INSERT INTO replay.checkpoints (" + COLUMNS.replace("::text", "") + ") VALUES (?,?,?,?,?,?,?,?,?,?::jsonb,?,?,?)")
                .params(c.id(), c.sessionId(), c.kind().name(), c.name(), c.description(), Timestamp.from(c.createdAt()),
                        c.lsn().value(), c.entryIndex(), c.commitLsn() == null ? null : c.commitLsn().value(), c.sequences(),
                        c.copyDb(), c.copyState(), c.copyError())
                .update();
    }

    public Optional<Checkpoint> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.checkpoints WHERE id = ?").param(id).query(CheckpointStore::map).optional();
    }

    public Optional<Checkpoint> fixed(UUID session, Checkpoint.Kind kind) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.checkpoints WHERE session_id = ? AND kind = ?").params(session, kind.name())
                .query(CheckpointStore::map).optional();
    }

    public List<Checkpoint> ofSession(UUID session) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.checkpoints WHERE session_id = ?" + ORDER).param(session)
                .query(CheckpointStore::map).list();
    }

    public List<Checkpoint> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.checkpoints ORDER BY session_id, CASE kind WHEN 'CREATION' THEN 0 "
                + "WHEN 'MIGRATION' THEN 1 ELSE 2 END, lsn, created_at").query(CheckpointStore::map).list();
    }

    public void setPosition(UUID id, Lsn lsn, String sequences) {
        jdbc.sql("UPDATE replay.checkpoints SET lsn = ?, sequences = ?::jsonb WHERE id = ?").params(lsn.value(), sequences, id).update();
    }

    public void rename(UUID id, String name, String description) {
        jdbc.sql("UPDATE replay.checkpoints SET name = coalesce(?, name), description = coalesce(?, description) WHERE id = ?")
                .params(name, description, id).update();
    }

    public void setCopy(UUID id, String db, String state, String error) {
        jdbc.sql("UPDATE replay.checkpoints SET copy_db = ?, copy_state = ?, copy_error = ? WHERE id = ?").params(db, state, error, id).update();
    }

    public boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM replay.checkpoints WHERE id = ?").param(id).update() > 0;
    }

    static Checkpoint map(ResultSet rs, int row) throws SQLException {
        Long entryIndex = rs.getObject("entry_index", Long.class);
        Long commitLsn = rs.getObject("commit_lsn", Long.class);
        return new Checkpoint(rs.getObject("id", UUID.class), rs.getObject("session_id", UUID.class),
                Checkpoint.Kind.valueOf(rs.getString("kind")), rs.getString("name"), rs.getString("description"),
                rs.getTimestamp("created_at").toInstant(), new Lsn(rs.getLong("lsn")), entryIndex,
                commitLsn == null ? null : new Lsn(commitLsn), rs.getString("sequences"), rs.getString("copy_db"),
                rs.getString("copy_state"), rs.getString("copy_error"));
    }
}
