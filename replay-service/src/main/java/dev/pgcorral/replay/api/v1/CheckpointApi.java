package dev.pgcorral.replay.api.v1;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** A session's checkpoints, {@code /api/v1/sessions/{id}/checkpoints}; {@code cid} may also be CREATION or MIGRATION. */
@RestController
@RequestMapping("/api/v1/sessions/{id}/checkpoints")
public class CheckpointApi {

    /**
     * A checkpoint.
     *
     * @param lsn        where it was set on the source
     * @param entryIndex entries captured before it; null until capture has reached it ({@code captured})
     * @param copy       the database kept on the target server with its state, for fast restores
     */
    public record CheckpointView(UUID id, UUID sessionId, String kind, String name, String description, Instant createdAt, String lsn,
                                 Long entryIndex, String commitLsn, boolean captured, Copy copy) {

        /** @param state NONE, BUILDING, READY or FAILED */
        public record Copy(String database, String state, String error) {
        }

        static CheckpointView of(Checkpoint c) {
            return new CheckpointView(c.id(), c.sessionId(), c.kind().name(), c.name(), c.description(), c.createdAt(), c.lsn().toString(),
                    c.entryIndex(), c.commitLsn() == null ? null : c.commitLsn().toString(), c.captured(),
                    new Copy(c.copyDb(), c.copyState(), c.copyError()));
        }
    }

    public record NewCheckpoint(@NotBlank(message = "must be given and not blank") @Size(max = 200) String name,
                                @Size(max = 2000) String description) {
    }

    private final Sessions sessions;
    private final Checkpoints checkpoints;

    public CheckpointApi(Sessions sessions, Checkpoints checkpoints) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
    }

    /** The fixed ones first, then by position. */
    @GetMapping
    public List<CheckpointView> list(@PathVariable String id) {
        return checkpoints.of(Ids.session(sessions, id, "id")).stream().map(CheckpointView::of).toList();
    }

    /** Sets a checkpoint at the source's current position; answers once capture has reached it (or after 10 s, not yet captured). */
    @PostMapping
    public ResponseEntity<CheckpointView> create(@PathVariable String id, @Valid @RequestBody NewCheckpoint request) {
        return created(checkpoints.create(Ids.session(sessions, id, "id"), request.name().strip(), request.description()));
    }

    /** Sets the fixed checkpoint Migration now (after migrations run by hand); 409 when the session has it already. */
    @PostMapping("/migration")
    public ResponseEntity<CheckpointView> markMigration(@PathVariable String id) {
        return created(checkpoints.markMigration(Ids.session(sessions, id, "id")));
    }

    @GetMapping("/{cid}")
    public CheckpointView get(@PathVariable String id, @PathVariable String cid) {
        return CheckpointView.of(find(id, cid));
    }

    @PatchMapping("/{cid}")
    public CheckpointView rename(@PathVariable String id, @PathVariable String cid, @Valid @RequestBody Rename request) {
        Checkpoint checkpoint = find(id, cid);
        checkpoints.store().rename(checkpoint.id(), request.require().name(), request.description());
        return CheckpointView.of(checkpoints.store().find(checkpoint.id()).orElseThrow());
    }

    /** Deletes it and its kept copy; 409 for Creation. */
    @DeleteMapping("/{cid}")
    public ResponseEntity<Void> delete(@PathVariable String id, @PathVariable String cid) {
        Session session = Ids.session(sessions, id, "id");
        checkpoints.delete(session, Ids.checkpoint(checkpoints.store(), session, cid, "cid"));
        return ResponseEntity.noContent().build();
    }

    private Checkpoint find(String id, String cid) {
        return Ids.checkpoint(checkpoints.store(), Ids.session(sessions, id, "id"), cid, "cid");
    }

    private static ResponseEntity<CheckpointView> created(Checkpoint checkpoint) {
        return ResponseEntity.created(URI.create("/api/v1/sessions/" + checkpoint.sessionId() + "/checkpoints/" + checkpoint.id()))
                .body(CheckpointView.of(checkpoint));
    }
}
