package dev.pgcorral.replay.checkpoint;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.capture.CaptureEvents;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SourceSetup;
import dev.pgcorral.replay.travel.TargetServer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Sets checkpoints: a transactional logical message written on the source by replay-service itself, so
 * that its position orders exactly with the captured changes, together with the source's sequence values
 * read in the same transaction. A checkpoint is complete once capture has stored its message's
 * transaction ({@link Checkpoint#captured()}).
 */
public class Checkpoints implements CaptureEvents {

    private static final Logger log = LoggerFactory.getLogger(Checkpoints.class);
    private static final Duration CAPTURE_WAIT = Duration.ofSeconds(10);

    private final CheckpointStore store;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Object captured = new Object();

    public Checkpoints(CheckpointStore store) {
        this.store = store;
    }

    public CheckpointStore store() {
        return store;
    }

    /** A user checkpoint, at the source's current position; waits (a while) until capture has reached it. */
    public Checkpoint create(Session session, String name, String description) {
        return set(session, Checkpoint.Kind.USER, name, description);
    }

    /** The fixed checkpoint Migration, once per session. */
    public Checkpoint markMigration(Session session) {
        if (store.fixed(session.id(), Checkpoint.Kind.MIGRATION).isPresent()) {
            throw ApiException.conflict("session " + session.id() + " already has its Migration checkpoint");
        }
        return set(session, Checkpoint.Kind.MIGRATION, "Migration", "after the schema migrations");
    }

    /** The fixed checkpoint Creation: the base copy, at the slot's consistent point, its copy ready. */
    public Checkpoint recordCreation(Session session, Lsn consistentPoint, String sequences, String copyDb) {
        Checkpoint creation = new Checkpoint(UUID.randomUUID(), session.id(), Checkpoint.Kind.CREATION, "Creation",
                "the base copy, where capture began", Instant.now(), consistentPoint, 0L, consistentPoint, sequences, copyDb,
                "READY", null);
        store.insert(creation);
        return creation;
    }

    public List<Checkpoint> of(Session session) {
        return store.ofSession(session.id());
    }

    /** Deletes a user checkpoint and the copy kept for it. */
    public void delete(Session session, Checkpoint checkpoint) {
        if (checkpoint.kind() == Checkpoint.Kind.CREATION) {
            throw ApiException.conflict("the Creation checkpoint is where the session's base copy is; delete the session instead");
        }
        if (checkpoint.copyDb() != null) {
            try {
                new TargetServer(session.target()).drop(checkpoint.copyDb());
            } catch (SQLException e) {
                throw new ApiException(org.springframework.http.HttpStatus.BAD_GATEWAY, "Target unreachable",
                        "cannot drop the copy " + checkpoint.copyDb() + " of checkpoint " + checkpoint.id() + " on the target server: "
                                + e.getMessage());
            }
        }
        store.delete(checkpoint.id());
    }

    /** The source's sequences and their values now, as JSON. */
    public String readSequences(Connection source) throws SQLException {
        ArrayNode sequences = json.createArrayNode();
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery("SELECT schemaname, sequencename, last_value "
                + "FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")) {
            while (rs.next()) {
                long value = rs.getLong(3);
                boolean neverCalled = rs.wasNull();
                var node = sequences.addObject().put("schema", rs.getString(1)).put("name", rs.getString(2));
                if (neverCalled) {
                    node.putNull("value");
                } else {
                    node.put("value", value);
                }
            }
        }
        return json.writeValueAsString(sequences);
    }

    private Checkpoint set(Session session, Checkpoint.Kind kind, String name, String description) {
        UUID id = UUID.randomUUID();
        name = name == null || name.isBlank() ? "checkpoint " + (store.ofSession(session.id()).size() + 1) : name.strip();
        store.insert(new Checkpoint(id, session.id(), kind, name, description == null ? "" : description, Instant.now(), Lsn.INVALID,
                null, null, "[]", null, "NONE", null));
        try (Connection c = session.source().connect()) {
            c.setAutoCommit(false);
            String sequences = readSequences(c);
            Lsn lsn;
            try (PreparedStatement st = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)::text")) {
                st.setString(1, session.messagePrefix() + SourceSetup.CHECKPOINT);
                st.setString(2, id.toString());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    lsn = Lsn.parse(rs.getString(1));
                }
            }
            c.commit();
            store.setPosition(id, lsn, sequences);
        } catch (SQLException e) {
            store.delete(id);
            throw new ApiException(org.springframework.http.HttpStatus.BAD_GATEWAY, "Source unreachable",
                    "cannot set the checkpoint on the source " + session.source() + ": " + e.getMessage());
        }
        return awaitCaptured(id, CAPTURE_WAIT);
    }

    /** The checkpoint once capture has stored it, or as it is after {@code timeout}. */
    public Checkpoint awaitCaptured(UUID id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (captured) {
            while (true) {
                Checkpoint now = store.find(id).orElseThrow(() -> ApiException.notFound("checkpoint " + id + " is gone"));
                long left = deadline - System.nanoTime();
                if (now.captured() || left <= 0) {
                    return now;
                }
                try {
                    captured.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return now;
                }
            }
        }
    }

    @Override
    public void stored(UUID session, long entries, int transactions, Lsn commitLsn, Instant commitTime, List<UUID> checkpoints) {
        if (!checkpoints.isEmpty()) {
            log.debug("session {}: checkpoints {} captured", session, checkpoints);
            synchronized (captured) {
                captured.notifyAll();
            }
        }
    }
}
