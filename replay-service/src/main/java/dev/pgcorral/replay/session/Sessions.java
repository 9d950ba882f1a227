package dev.pgcorral.replay.session;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.logical.ExportedSnapshot;
import dev.pgcorral.common.logical.LogicalReplicationException;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.capture.Capture;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.servers.Endpoints;
import dev.pgcorral.replay.travel.Restorer;
import dev.pgcorral.replay.travel.TargetServer;

/**
 * Creates and deletes sessions. Creating one sets up its source (publication, DDL capture, slot), copies
 * the source as the slot's exported snapshot sees it into a base copy on the target server and into the
 * target, records the checkpoint Creation there, starts capture, and runs the configured migrations on
 * the source (then records Migration). Deleting one removes what it made on the source and its copies.
 */
public class Sessions {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    private final SessionStore store;
    private final Endpoints endpoints;
    private final Capture capture;
    private final Checkpoints checkpoints;
    private final Restorer restorer;
    private final PgTools tools;
    private final List<String> migrations;

    public Sessions(SessionStore store, Endpoints endpoints, Capture capture, Checkpoints checkpoints, Restorer restorer,
                    PgTools tools, List<String> migrations) {
        this.store = store;
        this.endpoints = endpoints;
        this.capture = capture;
        this.checkpoints = checkpoints;
        this.restorer = restorer;
        this.tools = tools;
        this.migrations = migrations;
    }

    public List<Session> all() {
        return store.all();
    }

    public Session get(UUID id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("session " + id + " not found"));
    }

    /** The active session (the last one created or switched to). */
    public Session active() {
        return store.active().orElseThrow(() -> ApiException.notFound("there is no session yet; create one first"));
    }

    public Session create(NewSession request) {
        UUID id = UUID.randomUUID();
        String shortId = Session.shortId(id);
        ConnectionDetails source = url(request.source(), endpoints.source(), "source");
        if (request.database() != null && !request.database().isBlank()) {
            source = source.withDatabase(request.database().strip());
        }
        ConnectionDetails target = url(request.target(), endpoints.target(), "target");
        if (request.targetDatabase() != null && !request.targetDatabase().isBlank()) {
            target = target.withDatabase(request.targetDatabase());
            if (store.targetTaken(target)) {
                throw ApiException.conflict("another session already moves the target database " + target.database());
            }
        } else if (store.targetTaken(target)) {
            target = target.withDatabase(target.database() + "_" + shortId);
        }
        if (source.host().equals(target.host()) && source.port() == target.port() && source.database().equals(target.database())) {
            throw ApiException.badRequest("the source and the target are the same database (" + source.database() + ")");
        }
        checkReachable(source, "source");
        checkReachable(target.withDatabase("postgres"), "target server"); // the target database itself is made by the session
        String slot = "pgcorral_replay_" + shortId;
        Instant now = Instant.now();
        Session session = new Session(id, blankTo(request.name(), "session"), blankTo(request.description(), ""), source, target, slot, slot,
                false, null, Session.State.CREATING, null, false, now, now, 0, Lsn.INVALID, null, null);
        store.insert(session);
        try {
            session = setUp(session);
        } catch (RuntimeException e) {
            undo(session);
            throw translate(e);
        }
        if (!migrations.isEmpty()) {
            runMigrations(session);
        }
        return get(id);
    }

    private Session setUp(Session session) {
        SourceSetup.DdlCapture ddl = SourceSetup.prepare(session);
        store.setCapture(session.id(), ddl.on(), ddl.note());
        TargetServer server = new TargetServer(session.target());
        String base = "pgcr_" + session.shortId() + "_base";
        String scratch = "pgcr_" + session.shortId() + "_next";
        Lsn consistentPoint;
        String sequences;
        try (ExportedSnapshot snapshot = new ReplicationSlots(session.source()).createWithSnapshot(session.slot())) {
            consistentPoint = snapshot.consistentPoint();
            server.drop(base);
            server.createEmpty(base);
            new BaseCopy(tools).copy(session.source(), snapshot.snapshotName(), server.database(base));
            try (Connection c = session.source().connect()) {
                snapshot.beginTransaction(c);
                sequences = checkpoints.readSequences(c);
                c.rollback();
            }
            server.drop(scratch);
            server.copy(base, scratch);
            server.replace(session.target().database(), scratch);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot make the base copy: " + e.getMessage(), e);
        }
        checkpoints.recordCreation(session, consistentPoint, sequences, base);
        store.markCapturing(session.id(), consistentPoint, 0);
        store.activate(session.id());
        Session ready = get(session.id());
        capture.start(ready);
        log.info("session {} ({}) captures {} from {}; target {}", ready.id(), ready.name(), ready.source(), consistentPoint, ready.target());
        return ready;
    }

    /** Runs the configured Flyway migrations on the source, then marks Migration (their DDL is captured like any other). */
    private void runMigrations(Session session) {
        ConnectionDetails source = session.source();
        try {
            Flyway.configure().dataSource(source.jdbcUrl(), source.user(), source.password())
                    .locations(migrations.toArray(String[]::new)).load().migrate();
        } catch (RuntimeException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Migrations failed", "session " + session.id()
                    + " was created, but the migrations failed on the source: " + e.getMessage() + "; no Migration checkpoint was set");
        }
        checkpoints.markMigration(session);
    }

    public void activate(UUID id) {
        get(id);
        store.activate(id);
    }

    public void rename(UUID id, String name, String description) {
        get(id);
        store.rename(id, name, description);
    }

    /** Stops capture, drops the slot, publication and DDL trigger on the source and the kept copies, then the stored data. */
    public void delete(UUID id) {
        Session session = get(id);
        capture.stop(id);
        try {
            restorer.exclusively(id, () -> {
                SourceSetup.remove(session);
                dropCopies(session);
                store.delete(id);
            });
        } catch (RuntimeException e) {
            capture.start(session);
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Source unreachable", "session " + id + " is kept: "
                    + "what it made on the source could not be dropped: " + e.getMessage());
        }
        log.info("session {} deleted", id);
    }

    private void dropCopies(Session session) {
        TargetServer server = new TargetServer(session.target());
        for (Checkpoint c : checkpoints.of(session)) {
            if (c.copyDb() != null) {
                try {
                    server.drop(c.copyDb());
                } catch (SQLException e) {
                    log.warn("session {}: cannot drop copy {} on the target server: {}", session.id(), c.copyDb(), e.getMessage());
                }
            }
        }
    }

    private void undo(Session created) {
        capture.stop(created.id());
        Session session = store.find(created.id()).orElse(created); // as far as set-up got: with the DDL trigger, if installed
        try {
            SourceSetup.remove(session);
        } catch (RuntimeException e) {
            log.warn("session {}: cleaning up after a failed creation: {}", session.id(), e.getMessage());
        }
        try {
            new TargetServer(session.target()).drop("pgcr_" + session.shortId() + "_base");
        } catch (SQLException | RuntimeException e) {
            log.debug("cannot drop the base copy: {}", e.getMessage());
        }
        store.delete(session.id());
    }

    private static RuntimeException translate(RuntimeException e) {
        if (e instanceof ApiException) {
            return e;
        }
        if (e instanceof LogicalReplicationException r) {
            return switch (r.reason()) {
                case UNREACHABLE, LOGIN_FAILED -> ApiException.badRequest(r.getMessage());
                default -> new ApiException(HttpStatus.CONFLICT, "Source not ready for capture", r.getMessage());
            };
        }
        return new ApiException(HttpStatus.BAD_GATEWAY, "Session not created", e.getMessage());
    }

    private static void checkReachable(ConnectionDetails db, String role) {
        try (Connection c = db.connect()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw ApiException.badRequest("cannot connect to the " + role + " " + db + ": " + e.getMessage());
        }
    }

    private static ConnectionDetails url(String given, ConnectionDetails configured, String role) {
        if (given == null || given.isBlank()) {
            return configured;
        }
        try {
            return ConnectionDetails.parse(given);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the " + role + " URL is not usable: " + e.getMessage());
        }
    }

    private static String blankTo(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value.strip();
    }
}
