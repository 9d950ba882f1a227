package dev.pgcorral.replay.travel;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Restores in the metadata store. A restore left RUNNING by a service that died is marked FAILED at start. */
public class RestoreStore {

    private static final String COLUMNS = "id, session_id, checkpoint_id, to_seq, state, started_at, finished_at, start_point, "
            + "entries_total, entries_applied, connections_ended, error";

    private final JdbcClient jdbc;

    public RestoreStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Restore r) {
        jdbc.sql("INSERT INTO replay.restores (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
                .params(r.id(), r.sessionId(), r.checkpointId(), r.toSeq(), r.state().name(), Timestamp.from(r.startedAt()), null,
                        r.startPoint(), r.entriesTotal(), r.entriesApplied(), r.connectionsEnded(), r.error())
                .update();
    }

    public void update(Restore r) {
        jdbc.sql("UPDATE replay.restores SET state = ?, finished_at = ?, start_point = ?, entries_total = ?, entries_applied = ?, "
                        + "connections_ended = ?, error = ? WHERE id = ?")
                .params(r.state().name(), r.finishedAt() == null ? null : Timestamp.from(r.finishedAt()), r.startPoint(), r.entriesTotal(),
                        r.entriesApplied(), r.connectionsEnded(), r.error(), r.id())
                .update();
    }

    public Optional<Restore> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.restores WHERE id = ?").param(id).query(RestoreStore::map).optional();
    }

    public List<Restore> ofSession(UUID session) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.restores WHERE session_id = ? ORDER BY started_at DESC").param(session)
                .query(RestoreStore::map).list();
    }

    /** Restores a previous run of the service left unfinished. */
    public int failInterrupted() {
        return jdbc.sql("UPDATE replay.restores SET state = 'FAILED', finished_at = now(), "
                + "error = 'replay-service stopped during the restore' WHERE state = 'RUNNING'").update();
    }

    static Restore map(ResultSet rs, int row) throws SQLException {
        Timestamp finished = rs.getTimestamp("finished_at");
        return new Restore(rs.getObject("id", UUID.class), rs.getObject("session_id", UUID.class),
                rs.getObject("checkpoint_id", UUID.class), rs.getLong("to_seq"), Restore.State.valueOf(rs.getString("state")),
                rs.getTimestamp("started_at").toInstant(), finished == null ? null : finished.toInstant(), rs.getString("start_point"),
                rs.getLong("entries_total"), rs.getLong("entries_applied"), rs.getInt("connections_ended"), rs.getString("error"));
    }
}
