package dev.pgcorral.replay.api.v1;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.Restore;
import dev.pgcorral.replay.travel.Restorer;

/** Time travel, {@code /api/v1/sessions/{id}/restores}: moves the session's target to a checkpoint or a commit position. */
@RestController
@RequestMapping("/api/v1/sessions/{id}/restores")
public class RestoreApi {

    /**
     * A move of the target, running or finished.
     *
     * @param toEntries        the target holds the state after this many entries when it is done
     * @param startPoint       what it started from: the target as it was, or a kept copy
     * @param entriesApplied   of {@code entriesTotal}, so far
     * @param connectionsEnded connections to the target that were ended for it
     */
    public record RestoreView(UUID id, UUID sessionId, UUID checkpointId, long toEntries, String state, Instant startedAt,
                              Instant finishedAt, long durationMs, String startPoint, long entriesTotal, long entriesApplied,
                              int connectionsEnded, String error) {
        static RestoreView of(Restore r) {
            return new RestoreView(r.id(), r.sessionId(), r.checkpointId(), r.toSeq(), r.state().name(), r.startedAt(), r.finishedAt(),
                    r.duration().toMillis(), r.startPoint(), r.entriesTotal(), r.entriesApplied(), r.connectionsEnded(), r.error());
        }
    }

    /**
     * Where to: exactly one of the two.
     *
     * @param checkpointId a checkpoint's id, or CREATION or MIGRATION
     * @param lsn          a commit position on the source, e.g. {@code 0/16B3748}: the state after every transaction committed at or before it
     */
    public record RestoreRequest(String checkpointId, String lsn) {
    }

    private final Sessions sessions;
    private final Checkpoints checkpoints;
    private final ChangeLog changeLog;
    private final Restorer restorer;

    public RestoreApi(Sessions sessions, Checkpoints checkpoints, ChangeLog changeLog, Restorer restorer) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
        this.changeLog = changeLog;
        this.restorer = restorer;
    }

    /** Starts a restore (202, follow its Location for progress); with {@code wait=true} answers 200 when it has finished. */
    @PostMapping
    public ResponseEntity<RestoreView> start(@PathVariable String id, @RequestBody RestoreRequest request,
                                             @RequestParam(defaultValue = "false") boolean wait) {
        Session session = Ids.session(sessions, id, "id");
        boolean byCheckpoint = request.checkpointId() != null && !request.checkpointId().isBlank();
        boolean byLsn = request.lsn() != null && !request.lsn().isBlank();
        if (byCheckpoint == byLsn) {
            throw ApiException.badRequest("give either checkpointId or lsn");
        }
        Checkpoint checkpoint = null;
        long toEntries;
        if (byCheckpoint) {
            checkpoint = Ids.checkpoint(checkpoints.store(), session, request.checkpointId(), "checkpointId");
            if (!checkpoint.captured()) {
                throw ApiException.conflict("checkpoint " + checkpoint.id() + " is not captured yet; try again in a moment");
            }
            toEntries = checkpoint.entryIndex();
        } else {
            Lsn lsn = ChangeApi.lsn(request.lsn(), "lsn");
            toEntries = changeLog.entriesUpTo(session.id(), lsn);
        }
        if (wait) {
            return ResponseEntity.ok(RestoreView.of(restorer.runNow(session, toEntries, checkpoint)));
        }
        Restore restore = restorer.start(session, toEntries, checkpoint);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/sessions/" + session.id() + "/restores/" + restore.id()))
                .body(RestoreView.of(restore));
    }

    /** Newest first. */
    @GetMapping
    public List<RestoreView> list(@PathVariable String id) {
        return restorer.store().ofSession(Ids.session(sessions, id, "id").id()).stream().map(RestoreView::of).toList();
    }

    /** With live progress while it runs. */
    @GetMapping("/{rid}")
    public RestoreView get(@PathVariable String id, @PathVariable String rid) {
        Session session = Ids.session(sessions, id, "id");
        UUID restore = Ids.uuid(rid, "rid");
        return restorer.find(restore).filter(r -> r.sessionId().equals(session.id())).map(RestoreView::of)
                .orElseThrow(() -> ApiException.notFound("restore " + restore + " not found in session " + session.id()));
    }
}
