package dev.pgcorral.replay.api.compat;

import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** Finds what the seed's requests name: a session (default the active one) and a checkpoint (its UUID, CREATION or MIGRATION). */
@Component
class CompatLookup {

    private final Sessions sessions;
    private final Checkpoints checkpoints;

    CompatLookup(Sessions sessions, Checkpoints checkpoints) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
    }

    /** The session {@code id} names; the active one when it is left out. */
    Session session(String id) {
        return blank(id) ? sessions.active() : Ids.session(sessions, id, "session_id");
    }

    /** The checkpoint {@code id} names; CREATION and MIGRATION are those of {@code sessionId} (default the active session). */
    Checkpoint checkpoint(String id, String sessionId, String parameter) {
        if (blank(id)) {
            throw ApiException.badRequest(parameter + " is required");
        }
        if (Ids.fixedKind(id).isPresent()) {
            return Ids.checkpoint(checkpoints.store(), session(sessionId), id, parameter);
        }
        UUID uuid = Ids.uuid(id, parameter);
        Optional<UUID> session = blank(sessionId) ? Optional.empty() : Optional.of(session(sessionId).id());
        return checkpoints.store().find(uuid).filter(c -> session.isEmpty() || c.sessionId().equals(session.get()))
                .orElseThrow(() -> ApiException.notFound("checkpoint " + uuid + " not found"));
    }

    /** The entries captured before {@code checkpoint}; 409 while capture has not reached it. */
    static long entryIndex(Checkpoint checkpoint) {
        if (!checkpoint.captured()) {
            throw ApiException.conflict("checkpoint " + checkpoint.id() + " is not captured yet; try again in a moment");
        }
        return checkpoint.entryIndex();
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
