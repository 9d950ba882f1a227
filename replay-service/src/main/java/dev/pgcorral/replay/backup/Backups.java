package dev.pgcorral.replay.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SessionStore;
import dev.pgcorral.replay.travel.Restorer;
import dev.pgcorral.replay.travel.TargetServer;

/**
 * Backups: a {@code pg_dump} of the copy kept for a checkpoint, written under the backup folder, and
 * restoring one into the session's target (through a new database that replaces the target, so a failed
 * restore leaves the target as it was).
 */
public class Backups {

    private static final String COLUMNS = "id, session_id, checkpoint_id, checkpoint, entry_index, file, size_bytes, created_at";

    private final JdbcClient jdbc;
    private final PgTools tools;
    private final SessionStore sessions;
    private final Restorer restorer;
    private final Path folder;

    public Backups(JdbcClient jdbc, PgTools tools, SessionStore sessions, Restorer restorer, Path folder) {
        this.jdbc = jdbc;
        this.tools = tools;
        this.sessions = sessions;
        this.restorer = restorer;
        this.folder = folder;
    }

    public Backup take(Session session, Checkpoint checkpoint) {
        if (!checkpoint.copyReady()) {
            throw ApiException.conflict("checkpoint " + checkpoint.name() + " has no copy to back up yet (copy state "
                    + checkpoint.copyState() + (checkpoint.copyError() == null ? "" : ": " + checkpoint.copyError()) + ")");
        }
        UUID id = UUID.randomUUID();
        Path file = folder.resolve(session.shortId()).resolve(id + ".dump");
        try {
            Files.createDirectories(file.getParent());
            tools.run("pg_dump", new TargetServer(session.target()).database(checkpoint.copyDb()),
                    List.of("--format=custom", "--file=" + file));
            Backup backup = new Backup(id, session.id(), checkpoint.id(), checkpoint.name(), checkpoint.entryIndex(), file.toString(),
                    Files.size(file), Instant.now());
            jdbc.sql("INSERT INTO replay.backups (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)")
                    .params(backup.id(), backup.sessionId(), backup.checkpointId(), backup.checkpoint(), backup.entryIndex(), backup.file(),
                            backup.sizeBytes(), Timestamp.from(backup.createdAt()))
                    .update();
            return backup;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            throw e instanceof ApiException a ? a : new ApiException(HttpStatus.BAD_GATEWAY, "Backup failed",
                    "cannot back up checkpoint " + checkpoint.name() + ": " + e.getMessage());
        }
    }

    public List<Backup> of(UUID session) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.backups WHERE session_id = ? ORDER BY created_at").param(session)
                .query(Backups::map).list();
    }

    public Backup get(UUID session, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM replay.backups WHERE id = ? AND session_id = ?").params(id, session)
                .query(Backups::map).optional().orElseThrow(() -> ApiException.notFound("backup " + id + " not found in session " + session));
    }

    public void delete(UUID session, UUID id) {
        Backup backup = get(session, id);
        deleteQuietly(Path.of(backup.file()));
        jdbc.sql("DELETE FROM replay.backups WHERE id = ?").param(id).update();
    }

    /** Replaces the session's target with the backup's content; returns the connections to the target that were ended. */
    public int restore(Session session, Backup backup) {
        if (!Files.isRegularFile(Path.of(backup.file()))) {
            throw ApiException.conflict("the backup file " + backup.file() + " is gone");
        }
        int[] ended = {0};
        restorer.exclusively(session.id(), () -> {
            TargetServer server = new TargetServer(session.target());
            String scratch = "pgcr_" + session.shortId() + "_next";
            try {
                server.drop(scratch);
                server.createEmpty(scratch);
                tools.run("pg_restore", server.database(scratch), List.of("--no-owner", "--no-privileges", "--exit-on-error", backup.file()));
                sessions.setTargetSeq(session.id(), null);
                ended[0] = server.replace(session.target().database(), scratch);
                sessions.setTargetSeq(session.id(), backup.entryIndex());
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    server.drop(scratch);
                } catch (SQLException ignored) {
                    // the target server is away; the scratch database goes with the next restore
                }
                throw new ApiException(HttpStatus.BAD_GATEWAY, "Restore failed", "cannot restore backup " + backup.id() + ": " + e.getMessage());
            }
        });
        return ended[0];
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover file in the backup folder is harmless
        }
    }

    static Backup map(java.sql.ResultSet rs, int row) throws SQLException {
        return new Backup(rs.getObject("id", UUID.class), rs.getObject("session_id", UUID.class), rs.getObject("checkpoint_id", UUID.class),
                rs.getString("checkpoint"), rs.getLong("entry_index"), rs.getString("file"), rs.getLong("size_bytes"),
                rs.getTimestamp("created_at").toInstant());
    }
}
