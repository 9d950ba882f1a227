package dev.pgcorral.replay.api.v1;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.backup.Backup;
import dev.pgcorral.replay.backup.Backups;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** A session's backups, {@code /api/v1/sessions/{id}/backups}: a pg_dump at a checkpoint, and restoring one into the target. */
@RestController
@RequestMapping("/api/v1/sessions/{id}/backups")
public class BackupApi {

    /** @param entryIndex the change log position the backup holds */
    public record BackupView(UUID id, UUID sessionId, UUID checkpointId, String checkpoint, long entryIndex, String file, long sizeBytes,
                             Instant createdAt) {
        static BackupView of(Backup b) {
            return new BackupView(b.id(), b.sessionId(), b.checkpointId(), b.checkpoint(), b.entryIndex(), b.file(), b.sizeBytes(),
                    b.createdAt());
        }
    }

    /** @param checkpointId a checkpoint whose copy is ready: its UUID, CREATION or MIGRATION */
    public record NewBackup(@NotBlank(message = "must be given: a checkpoint id, CREATION or MIGRATION") String checkpointId) {
    }

    /** @param targetEntries the target now holds the state after this many entries */
    public record Restored(UUID backupId, long targetEntries, int connectionsEnded) {
    }

    private final Sessions sessions;
    private final Checkpoints checkpoints;
    private final Backups backups;

    public BackupApi(Sessions sessions, Checkpoints checkpoints, Backups backups) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
        this.backups = backups;
    }

    @GetMapping
    public List<BackupView> list(@PathVariable String id) {
        return backups.of(Ids.session(sessions, id, "id").id()).stream().map(BackupView::of).toList();
    }

    /** Writes a pg_dump of the checkpoint's copy; 409 while that copy is not ready. */
    @PostMapping
    public ResponseEntity<BackupView> take(@PathVariable String id, @Valid @RequestBody NewBackup request) {
        Session session = Ids.session(sessions, id, "id");
        Backup backup = backups.take(session, Ids.checkpoint(checkpoints.store(), session, request.checkpointId(), "checkpointId"));
        return ResponseEntity.created(URI.create("/api/v1/sessions/" + session.id() + "/backups/" + backup.id())).body(BackupView.of(backup));
    }

    @GetMapping("/{bid}")
    public BackupView get(@PathVariable String id, @PathVariable String bid) {
        return BackupView.of(backups.get(Ids.session(sessions, id, "id").id(), Ids.uuid(bid, "bid")));
    }

    @DeleteMapping("/{bid}")
    public ResponseEntity<Void> delete(@PathVariable String id, @PathVariable String bid) {
        backups.delete(Ids.session(sessions, id, "id").id(), Ids.uuid(bid, "bid"));
        return ResponseEntity.noContent().build();
    }

    /** Replaces the target with the backup's content (connections to the target are ended first). */
    @PostMapping("/{bid}/restore")
    public Restored restore(@PathVariable String id, @PathVariable String bid) {
        Session session = Ids.session(sessions, id, "id");
        Backup backup = backups.get(session.id(), Ids.uuid(bid, "bid"));
        int ended = backups.restore(session, backup);
        return new Restored(backup.id(), backup.entryIndex(), ended);
    }
}
