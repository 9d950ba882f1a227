package dev.pgcorral.replay.api.v1;

import java.sql.SQLException;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.Compare;
import dev.pgcorral.replay.travel.TargetServer;

/** Compares a session's target with its source or with a checkpoint's kept copy, {@code /api/v1/sessions/{id}/compare}. */
@RestController
public class CompareApi {

    /** @param against {@code source}, or a checkpoint's id (or CREATION, MIGRATION) whose kept copy is ready */
    public record CompareRequest(@NotBlank(message = "must be given: source or a checkpoint id") String against) {
    }

    private final Sessions sessions;
    private final Checkpoints checkpoints;

    public CompareApi(Sessions sessions, Checkpoints checkpoints) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
    }

    /** Per table: rows and a content hash on both sides; {@code left} is the target. */
    @PostMapping("/api/v1/sessions/{id}/compare")
    public Compare.Result compare(@PathVariable String id, @Valid @RequestBody CompareRequest request) {
        Session session = Ids.session(sessions, id, "id");
        String target = "the target (" + session.target().database() + ")";
        try {
            if (request.against().strip().equalsIgnoreCase("source")) {
                return Compare.compare(target, session.target(), "the source (" + session.source().database() + ")", session.source());
            }
            Checkpoint checkpoint = Ids.checkpoint(checkpoints.store(), session, request.against(), "against");
            if (!checkpoint.copyReady()) {
                throw ApiException.conflict("checkpoint " + checkpoint.name() + " has no ready copy to compare with (copy state "
                        + checkpoint.copyState() + (checkpoint.copyError() == null ? "" : ": " + checkpoint.copyError()) + ")");
            }
            return Compare.compare(target, session.target(), "checkpoint " + checkpoint.name() + " (copy " + checkpoint.copyDb() + ")",
                    new TargetServer(session.target()).database(checkpoint.copyDb()));
        } catch (SQLException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Database unreachable", "cannot compare: " + e.getMessage());
        }
    }
}
