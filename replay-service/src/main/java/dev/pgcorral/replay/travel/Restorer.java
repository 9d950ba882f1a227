package dev.pgcorral.replay.travel;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.capture.CaptureEvents;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.CheckpointStore;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SessionStore;

/**
 * Time travel: moves a session's target database to the state after any number of its entries, forward or
 * backward. Going forward from where the target is, only the missing entries are applied, in one
 * transaction. Otherwise a new database is made from the nearest kept copy at or before the point, the
 * entries after that copy are applied to it, and it replaces the target (connections to the target are
 * ended first); until that swap the target is untouched, so a failed restore leaves it as it was. Also
 * keeps a copy of every captured checkpoint (a template database on the target server) when configured.
 */
public class Restorer implements CaptureEvents, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Restorer.class);

    private final SessionStore sessions;
    private final CheckpointStore checkpoints;
    private final RestoreStore restores;
    private final ChangeApplication application;
    private final boolean keepCopies;
    private final Map<UUID, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<UUID, Restore> running = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "time-travel");
        t.setDaemon(true);
        return t;
    });

    public Restorer(SessionStore sessions, CheckpointStore checkpoints, RestoreStore restores, ChangeLog log, int applyBatchEntries,
                    boolean keepCopies) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
        this.restores = restores;
        this.application = new ChangeApplication(log, applyBatchEntries);
        this.keepCopies = keepCopies;
    }

    public RestoreStore store() {
        return restores;
    }

    /** The restore as it is now: live progress while it runs. */
    public Optional<Restore> find(UUID id) {
        return Optional.ofNullable(running.get(id)).or(() -> restores.find(id));
    }

    public List<Restore> running() {
        return List.copyOf(running.values());
    }

    /** Starts moving the target to the state after {@code toSeq} entries; returns at once. */
    public Restore start(Session session, long toSeq, Checkpoint at) {
        Restore restore = begin(session, toSeq, at);
        executor.execute(() -> run(session, restore, at));
        return restore;
    }

    /** Moves the target and returns when it is done (or failed). */
    public Restore runNow(Session session, long toSeq, Checkpoint at) {
        Restore restore = begin(session, toSeq, at);
        return run(session, restore, at);
    }

    private Restore begin(Session session, long toSeq, Checkpoint at) {
        if (toSeq < 0 || toSeq > session.entries()) {
            throw ApiException.badRequest("the session has " + session.entries() + " entries; cannot move its target to entry " + toSeq);
        }
        if (running.values().stream().anyMatch(r -> r.sessionId().equals(session.id()))) {
            throw ApiException.conflict("a restore of session " + session.id() + " is already running");
        }
        Restore restore = new Restore(UUID.randomUUID(), session.id(), at == null ? null : at.id(), toSeq, Restore.State.RUNNING,
                Instant.now(), null, null, 0, 0, 0, null);
        restores.insert(restore);
        running.put(restore.id(), restore);
        return restore;
    }

    private Restore run(Session session, Restore started, Checkpoint at) {
        ReentrantLock lock = lockOf(session.id());
        lock.lock();
        Restore[] current = {started};
        try {
            Session fresh = sessions.find(session.id()).orElseThrow(() -> new IllegalStateException("the session was deleted"));
            TargetServer server = new TargetServer(fresh.target());
            String target = fresh.target().database();
            Checkpoint copy = nearestCopy(fresh.id(), started.toSeq());
            Long targetSeq = fresh.targetSeq();
            if (targetSeq != null && targetSeq <= started.toSeq() && targetSeq >= copy.entryIndex()) {
                try {
                    current[0] = track(current[0].progressing("the target as it was (entry " + targetSeq + ")", started.toSeq() - targetSeq, 0));
                    int ended = server.endConnections(target);
                    current[0] = track(current[0].withConnectionsEnded(ended));
                    application.apply(fresh.id(), targetSeq, started.toSeq(), fresh.target(), true, at,
                            n -> current[0] = track(current[0].progressing(n)));
                    sessions.setTargetSeq(fresh.id(), started.toSeq());
                    return finish(current[0], null);
                } catch (SQLException e) {
                    log.info("session {}: going forward on the target failed ({}); restoring from copy {}", fresh.id(), e.getMessage(),
                            copy.copyDb());
                }
            }
            String scratch = "pgcr_" + fresh.shortId() + "_next";
            current[0] = track(current[0].progressing("copy " + copy.copyDb() + " (checkpoint " + copy.name() + ", entry "
                    + copy.entryIndex() + ")", started.toSeq() - copy.entryIndex(), 0));
            try (TargetServer.Admin admin = server.open()) {
                admin.drop(scratch);
                admin.copy(copy.copyDb(), scratch);
                if (started.toSeq() > copy.entryIndex()) { // at the copy's own point its sequences are set already
                    application.apply(fresh.id(), copy.entryIndex(), started.toSeq(), server.database(scratch), false, at,
                            n -> current[0] = track(current[0].progressing(n)));
                }
                sessions.setTargetSeq(fresh.id(), null);
                int ended = admin.replace(target, scratch);
                current[0] = track(current[0].withConnectionsEnded(ended));
                sessions.setTargetSeq(fresh.id(), started.toSeq());
                return finish(current[0], null);
            } catch (SQLException e) {
                dropQuietly(server, scratch);
                return finish(current[0], "restore failed: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            return finish(current[0], "restore failed: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** The kept copy with the most entries at or before {@code seq}: at worst the base copy (Creation). */
    private Checkpoint nearestCopy(UUID session, long seq) {
        return checkpoints.ofSession(session).stream()
                .filter(c -> c.copyReady() && c.captured() && c.entryIndex() <= seq)
                .max(Comparator.comparingLong(Checkpoint::entryIndex).thenComparing(c -> c.kind() == Checkpoint.Kind.CREATION ? 0 : 1))
                .orElseThrow(() -> new IllegalStateException("the session has no base copy"));
    }

    /** The restore as it is now, for {@link #find} and the live status. */
    private Restore track(Restore r) {
        running.put(r.id(), r);
        return r;
    }

    private Restore finish(Restore r, String error) {
        Restore done = r.finished(error);
        try {
            restores.update(done);
        } finally {
            running.remove(r.id());
        }
        if (error != null) {
            log.warn("session {}: {}", r.sessionId(), error);
        }
        return done;
    }

    // --- copies kept for checkpoints

    @Override
    public void stored(UUID session, long entries, int transactions, Lsn commitLsn, Instant commitTime,
                       List<UUID> captured) {
        if (keepCopies) {
            captured.forEach(id -> executor.execute(() -> buildCopy(session, id)));
        }
    }

    /** Builds the copies a previous run did not finish. */
    public void buildMissingCopies() {
        if (!keepCopies) {
            return;
        }
        for (Checkpoint c : checkpoints.all()) {
            if (c.captured() && !c.copyReady() && c.kind() != Checkpoint.Kind.CREATION) {
                executor.execute(() -> buildCopy(c.sessionId(), c.id()));
            }
        }
    }

    void buildCopy(UUID sessionId, UUID checkpointId) {
        ReentrantLock lock = lockOf(sessionId);
        lock.lock();
        try {
            Optional<Session> session = sessions.find(sessionId);
            Optional<Checkpoint> checkpoint = checkpoints.find(checkpointId);
            if (session.isEmpty() || checkpoint.isEmpty() || !checkpoint.get().captured() || checkpoint.get().copyReady()) {
                return;
            }
            Checkpoint cp = checkpoint.get();
            String db = "pgcr_" + session.get().shortId() + "_" + cp.id().toString().replace("-", "").substring(0, 12);
            TargetServer server = new TargetServer(session.get().target());
            checkpoints.setCopy(cp.id(), db, "BUILDING", null);
            try {
                Checkpoint from = nearestCopy(sessionId, cp.entryIndex());
                server.drop(db);
                server.copy(from.copyDb(), db);
                application.apply(sessionId, from.entryIndex(), cp.entryIndex(), server.database(db), false, cp, n -> { });
                checkpoints.setCopy(cp.id(), db, "READY", null);
            } catch (SQLException | RuntimeException e) {
                dropQuietly(server, db);
                checkpoints.setCopy(cp.id(), null, "FAILED", e.getMessage());
                log.warn("session {}: cannot keep a copy of checkpoint {}: {}", sessionId, cp.name(), e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for restores and copies of {@code session} under way, then keeps new ones out while {@code action} runs. */
    public void exclusively(UUID session, Runnable action) {
        ReentrantLock lock = lockOf(session);
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lockOf(UUID session) {
        return locks.computeIfAbsent(session, id -> new ReentrantLock());
    }

    private static void dropQuietly(TargetServer server, String db) {
        try {
            server.drop(db);
        } catch (SQLException e) {
            log.debug("cannot drop {}: {}", Identifiers.quote(db), e.getMessage());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
