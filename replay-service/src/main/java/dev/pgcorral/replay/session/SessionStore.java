package dev.pgcorral.replay.session;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** Sessions in the metadata store. */
public class SessionStore {

    private static final String COLUMNS = "id, name, description, source_url, target_url, slot, publication, ddl_capture, "
            + "capture_note, state, error, active, created_at, updated_at, entries, stored_lsn, stored_at, target_seq";

    private final JdbcClient jdbc;

    public SessionStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(Session s) {
        jdbc.sql("INSERT INTO replay.sessions (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                .params(s.id(), s.name(), s.description(), s.source().postgresUrl(), s.target().postgresUrl(), s.slot(),
                        s.publication(), s.ddlCapture(), s.captureNote(), s.state().name(), s.error(), s.active(),
                        Timestamp.from(s.createdAt()), Timestamp.from(s.updatedAt()), s.entries(), s.storedLsn().value(),
                        s.storedAt() == null ? null : Timestamp.from(s.storedAt()), s.targetSeq())
                .update();
    }

    public Optional<Session> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.sessions WHERE id = ?").param(id).query(SessionStore::map).optional();
    }

    /** All sessions, oldest first. */
    public List<Session> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.sessions ORDER BY created_at, id").query(SessionStore::map).list();
    }

    public Optional<Session> active() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.sessions WHERE active ORDER BY created_at DESC LIMIT 1")
                .query(SessionStore::map).optional();
    }

    /** Whether another session already moves this target database. */
    public boolean targetTaken(ConnectionDetails target) {
        return all().stream().anyMatch(s -> s.target().host().equals(target.host()) && s.target().port() == target.port()
                && s.target().database().equals(target.database()));
    }

    public void markCapturing(UUID id, Lsn consistentPoint, long targetSeq) {
        jdbc.sql("UPDATE replay.sessions SET state = 'CAPTURING', error = NULL, stored_lsn = ?, target_seq = ?, updated_at = now() WHERE id = ?")
                .params(consistentPoint.value(), targetSeq, id).update();
    }

    public void setCapture(UUID id, boolean ddlCapture, String note) {
        jdbc.sql("UPDATE replay.sessions SET ddl_capture = ?, capture_note = ?, updated_at = now() WHERE id = ?").params(ddlCapture, note, id).update();
    }

    public void markFailed(UUID id, String error) {
        jdbc.sql("UPDATE replay.sessions SET state = 'FAILED', error = ?, updated_at = now() WHERE id = ?").params(error, id).update();
    }

    public void markResumed(UUID id) {
        jdbc.sql("UPDATE replay.sessions SET state = 'CAPTURING', error = NULL, updated_at = now() WHERE id = ? AND state = 'FAILED'")
                .param(id).update();
    }

    @Transactional
    public void activate(UUID id) {
        jdbc.sql("UPDATE replay.sessions SET active = (id = ?), updated_at = CASE WHEN active <> (id = ?) THEN now() ELSE updated_at END")
                .params(id, id).update();
    }

    public void rename(UUID id, String name, String description) {
        jdbc.sql("UPDATE replay.sessions SET name = coalesce(?, name), description = coalesce(?, description), updated_at = now() WHERE id = ?")
                .params(name, description, id).update();
    }

    public void setTargetSeq(UUID id, Long seq) {
        jdbc.sql("UPDATE replay.sessions SET target_seq = ?, updated_at = now() WHERE id = ?").params(seq, id).update();
    }

    /** Deletes the session and its stored data (its change log in the same statement: that table has no foreign key). */
    public boolean delete(UUID id) {
        return jdbc.sql("WITH entries AS (DELETE FROM replay.changes WHERE session_id = ?) DELETE FROM replay.sessions WHERE id = ?")
                .params(id, id).update() > 0;
    }

    static Session map(ResultSet rs, int row) throws SQLException {
        Timestamp storedAt = rs.getTimestamp("stored_at");
        Long targetSeq = rs.getObject("target_seq", Long.class);
        return new Session(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
                ConnectionDetails.parse(rs.getString("source_url")), ConnectionDetails.parse(rs.getString("target_url")),
                rs.getString("slot"), rs.getString("publication"), rs.getBoolean("ddl_capture"), rs.getString("capture_note"),
                Session.State.valueOf(rs.getString("state")), rs.getString("error"), rs.getBoolean("active"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(), rs.getLong("entries"),
                new Lsn(rs.getLong("stored_lsn")), storedAt == null ? null : storedAt.toInstant(), targetSeq);
    }
}
