package dev.pgcorral.replay.api;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.CheckpointStore;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;

/** Ids sent to the APIs: UUIDs read with a 400 naming the parameter, and checkpoint ids that may name a fixed checkpoint. */
public final class Ids {

    private Ids() {
    }

    /** {@code text} as a UUID; a 400 that names {@code parameter} when it is not one. */
    public static UUID uuid(String text, String parameter) {
        try {
            return UUID.fromString(text.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(parameter + " must be a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301 (was '"
                    + abbreviated(text) + "')");
        }
    }

    /** The session {@code id} names; 400 when it is not a UUID, 404 when there is no such session. */
    public static Session session(Sessions sessions, String id, String parameter) {
        return sessions.get(uuid(id, parameter));
    }

    /** The fixed checkpoint {@code id} names ({@code CREATION} or {@code MIGRATION}, in any case), if it names one. */
    public static Optional<Checkpoint.Kind> fixedKind(String id) {
        String upper = id.strip().toUpperCase(Locale.ROOT);
        if (upper.equals(Checkpoint.Kind.CREATION.name()) || upper.equals(Checkpoint.Kind.MIGRATION.name())) {
            return Optional.of(Checkpoint.Kind.valueOf(upper));
        }
        return Optional.empty();
    }

    /** The checkpoint of {@code session} that {@code id} names: its UUID, CREATION or MIGRATION; 404 when it has none such. */
    public static Checkpoint checkpoint(CheckpointStore store, Session session, String id, String parameter) {
        Optional<Checkpoint.Kind> fixed = fixedKind(id);
        if (fixed.isPresent()) {
            return store.fixed(session.id(), fixed.get()).orElseThrow(() -> ApiException.notFound("session " + session.id()
                    + " has no " + fixed.get().name() + " checkpoint" + (fixed.get() == Checkpoint.Kind.MIGRATION
                    ? " (it is set after the schema migrations ran on the source)" : "")));
        }
        UUID uuid = uuid(id, parameter);
        return store.find(uuid).filter(c -> c.sessionId().equals(session.id()))
                .orElseThrow(() -> ApiException.notFound("checkpoint " + uuid + " not found in session " + session.id()));
    }

    private static String abbreviated(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
