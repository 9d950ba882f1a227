package dev.pgcorral.replay.api.compat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.api.compat.CompatJson.NewSessionRequest;
import dev.pgcorral.replay.api.compat.CompatJson.SessionJson;
import dev.pgcorral.replay.api.compat.CompatJson.SwitchRequest;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** postgres-test-replay's sessions: {@code /api/sessions}, one of them active. */
@RestController
@RequestMapping("/api/sessions")
class CompatSessionApi {

    private final Sessions sessions;
    private final Checkpoints checkpoints;

    CompatSessionApi(Sessions sessions, Checkpoints checkpoints) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
    }

    /** Oldest first. */
    @GetMapping
    List<SessionJson> list() {
        Map<UUID, List<UUID>> ids = checkpoints.store().all().stream()
                .collect(Collectors.groupingBy(Checkpoint::sessionId, Collectors.mapping(Checkpoint::id, Collectors.toList())));
        return sessions.all().stream().map(s -> SessionJson.of(s, ids.getOrDefault(s.id(), List.of()))).toList();
    }

    /** Creates a real session of the configured source (or its {@code database}); it becomes the active one. */
    @PostMapping
    ResponseEntity<SessionJson> create(@Valid @RequestBody NewSessionRequest request) {
        Session session = sessions.create(new NewSession(request.name(), request.description(), request.database(), null, null, null));
        return ResponseEntity.status(HttpStatus.CREATED).body(view(session));
    }

    @GetMapping("/{id}")
    SessionJson get(@PathVariable String id) {
        return view(Ids.session(sessions, id, "id"));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        sessions.delete(Ids.uuid(id, "id"));
        return ResponseEntity.noContent().build();
    }

    /** Makes {@code session_id} the only active session; 200 with an empty body, as the seed answers. */
    @PostMapping("/switch")
    ResponseEntity<Void> switchTo(@RequestBody SwitchRequest request) {
        if (CompatLookup.blank(request.sessionId())) {
            throw ApiException.badRequest("session_id is required");
        }
        sessions.activate(Ids.uuid(request.sessionId(), "session_id"));
        return ResponseEntity.ok().build();
    }

    private SessionJson view(Session session) {
        return SessionJson.of(session, checkpoints.of(session).stream().map(Checkpoint::id).toList());
    }
}
