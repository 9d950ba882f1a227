package dev.pgcorral.replay.api.v1;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.validation.Valid;

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
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** Sessions, {@code /api/v1/sessions}: create (capture starts), list, rename, activate, delete. */
@RestController
@RequestMapping("/api/v1/sessions")
public class SessionApi {

    /**
     * A session; its source and target as {@code postgresql://} URLs without their passwords.
     *
     * @param database      the captured database on the source
     * @param targetEntries the target holds the state after this many entries; null while unknown
     * @param checkpoints   how many checkpoints it has, the fixed ones included
     */
    public record SessionView(UUID id, String name, String description, String database, String source, String target,
                              String targetDatabase, String state, String error, boolean ddlCapture, String captureNote,
                              boolean active, Instant createdAt, Instant updatedAt, long entries, String storedLsn,
                              Instant storedAt, Long targetEntries, long checkpoints) {
        static SessionView of(Session s, long checkpoints) {
            return new SessionView(s.id(), s.name(), s.description(), s.source().database(), s.source().redacted(), s.target().redacted(),
                    s.target().database(), s.state().name(), s.error(), s.ddlCapture(), s.captureNote(), s.active(), s.createdAt(),
                    s.updatedAt(), s.entries(), s.storedLsn().toString(), s.storedAt(), s.targetSeq(), checkpoints);
        }
    }

    private final Sessions sessions;
    private final Checkpoints checkpoints;

    public SessionApi(Sessions sessions, Checkpoints checkpoints) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
    }

    /** Oldest first. */
    @GetMapping
    public List<SessionView> list() {
        Map<UUID, Long> counts = checkpoints.store().all().stream().collect(Collectors.groupingBy(Checkpoint::sessionId, Collectors.counting()));
        return sessions.all().stream().map(s -> SessionView.of(s, counts.getOrDefault(s.id(), 0L))).toList();
    }

    /** Creates a session (base copy, capture, checkpoint Creation); it becomes the active one. Everything may be left out. */
    @PostMapping
    public ResponseEntity<SessionView> create(@Valid @RequestBody(required = false) NewSession request) {
        Session session = sessions.create(request == null ? new NewSession(null, null, null, null, null, null) : request);
        return ResponseEntity.created(URI.create("/api/v1/sessions/" + session.id())).body(view(session));
    }

    @GetMapping("/{id}")
    public SessionView get(@PathVariable String id) {
        return view(Ids.session(sessions, id, "id"));
    }

    @PatchMapping("/{id}")
    public SessionView rename(@PathVariable String id, @Valid @RequestBody Rename request) {
        Session session = Ids.session(sessions, id, "id");
        sessions.rename(session.id(), request.require().name(), request.description());
        return view(sessions.get(session.id()));
    }

    /** Stops capture and drops what the session made on the source and the target server; its target database stays. */
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        sessions.delete(Ids.uuid(id, "id"));
        return ResponseEntity.noContent().build();
    }

    /** Makes it the active session (the one postgres-test-replay's endpoints use by default). */
    @PostMapping("/{id}/activate")
    public SessionView activate(@PathVariable String id) {
        UUID session = Ids.uuid(id, "id");
        sessions.activate(session);
        return view(sessions.get(session));
    }

    private SessionView view(Session session) {
        return SessionView.of(session, checkpoints.of(session).size());
    }
}
