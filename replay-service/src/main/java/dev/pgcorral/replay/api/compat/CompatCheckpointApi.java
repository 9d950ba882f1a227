package dev.pgcorral.replay.api.compat;

import java.util.List;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.replay.api.compat.CompatJson.CheckpointJson;
import dev.pgcorral.replay.api.compat.CompatJson.NewCheckpointRequest;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** postgres-test-replay's checkpoints: {@code /api/checkpoints}; ids may also be CREATION and MIGRATION. */
@RestController
@RequestMapping("/api/checkpoints")
class CompatCheckpointApi {

    private final Sessions sessions;
    private final Checkpoints checkpoints;
    private final CompatLookup lookup;

    CompatCheckpointApi(Sessions sessions, Checkpoints checkpoints, CompatLookup lookup) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
        this.lookup = lookup;
    }

    /** Every session's, or {@code session_id}'s; per session the fixed ones first. */
    @GetMapping
    List<CheckpointJson> list(@RequestParam(name = "session_id", required = false) String sessionId) {
        List<Checkpoint> list = CompatLookup.blank(sessionId) ? checkpoints.store().all() : checkpoints.of(lookup.session(sessionId));
        return list.stream().map(CheckpointJson::of).toList();
    }

    /** Sets a checkpoint at the source's current position, in {@code session_id} or the active session. */
    @PostMapping
    ResponseEntity<CheckpointJson> create(@Valid @RequestBody NewCheckpointRequest request) {
        Session session = lookup.session(request.sessionId());
        Checkpoint checkpoint = checkpoints.create(session, request.name() == null ? "" : request.name().strip(), request.description());
        return ResponseEntity.status(HttpStatus.CREATED).body(CheckpointJson.of(checkpoint));
    }

    @GetMapping("/{id}")
    CheckpointJson get(@PathVariable String id, @RequestParam(name = "session_id", required = false) String sessionId) {
        return CheckpointJson.of(lookup.checkpoint(id, sessionId, "id"));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, @RequestParam(name = "session_id", required = false) String sessionId) {
        Checkpoint checkpoint = lookup.checkpoint(id, sessionId, "id");
        checkpoints.delete(sessions.get(checkpoint.sessionId()), checkpoint);
        return ResponseEntity.noContent().build();
    }
}
