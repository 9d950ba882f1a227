package dev.pgcorral.replay.capture;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.replay.ReplayProperties;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The capture of every session: one worker each, started for the sessions found at start and for new
 * ones, stopped when a session is deleted. Records failures and recoveries on the session and passes
 * what was stored on to listeners (checkpoint waiters, copies, live status).
 */
public class Capture implements AutoCloseable {

    /** A session's capture as the status shows it. */
    /**
     * @param pendingBytes WAL received from the source that is not stored yet: what was read (data or
     *                     keep-alive position) beyond what is confirmed (acknowledged, or further while the slot idles)
     */
    public record Stats(boolean streaming, String error, double changesPerSecond, long pendingBytes, Instant lastCommit) {
    }

    private final MetadataConnections metadata;
    private final SessionStore sessions;
    private final ReplayProperties.Capture settings;
    private final Map<UUID, CaptureWorker> workers = new ConcurrentHashMap<>();
    private final Map<UUID, Rate> rates = new ConcurrentHashMap<>();
    private final Map<UUID, String> errors = new ConcurrentHashMap<>();
    private final List<CaptureEvents> listeners = new CopyOnWriteArrayList<>();
    private final Counter stored;
    private final CaptureEvents events = new CaptureEvents() {
        @Override
        public void stored(UUID session, long entries, int transactions, Lsn commitLsn, Instant commitTime, List<UUID> checkpoints) {
            stored.increment(entries);
            rates.computeIfAbsent(session, id -> new Rate()).add(entries, commitTime);
            listeners.forEach(l -> l.stored(session, entries, transactions, commitLsn, commitTime, checkpoints));
        }

        @Override
        public void resumed(UUID session) {
            if (errors.remove(session) != null) {
                sessions.markResumed(session);
            }
            listeners.forEach(l -> l.resumed(session));
        }

        @Override
        public void failed(UUID session, String reason) {
            errors.put(session, reason);
            sessions.markFailed(session, reason);
            listeners.forEach(l -> l.failed(session, reason));
        }
    };

    public Capture(DataSource metadata, SessionStore sessions, ReplayProperties.Capture settings, MeterRegistry registry) {
        this.metadata = new MetadataConnections(metadata);
        this.sessions = sessions;
        this.settings = settings;
        this.stored = Counter.builder("pgcorral.replay.capture.entries").description("change log entries stored").register(registry);
    }

    public void addListener(CaptureEvents listener) {
        listeners.add(listener);
    }

    /** Starts capturing every session that was created completely. */
    public void startAll() {
        for (Session s : sessions.all()) {
            if (s.state() != Session.State.CREATING) {
                start(s);
            }
        }
    }

    public void start(Session session) {
        workers.computeIfAbsent(session.id(), id -> {
            CaptureWorker worker = new CaptureWorker(session, metadata, settings, events);
            worker.start();
            return worker;
        });
    }

    public void stop(UUID session) {
        CaptureWorker worker = workers.remove(session);
        if (worker != null) {
            worker.stop();
        }
        rates.remove(session);
        errors.remove(session);
    }

    public Stats stats(UUID session) {
        CaptureWorker worker = workers.get(session);
        ChangeStream.Progress progress = worker == null ? null : worker.progress();
        Rate rate = rates.get(session);
        long pending = progress == null ? 0
                : Math.max(0, progress.received().bytesSince(Lsn.max(progress.acknowledged(), progress.confirmed())));
        return new Stats(progress != null, errors.get(session), rate == null ? 0 : rate.perSecond(), pending,
                rate == null ? null : rate.lastCommit);
    }

    @Override
    public void close() {
        workers.keySet().forEach(this::stop);
    }

    /** Entries stored per second over the last few seconds. */
    private static final class Rate {
        private final long[] counts = new long[5];
        private long slotStart = System.nanoTime() / 1_000_000_000L;
        private volatile Instant lastCommit;

        synchronized void add(long entries, Instant commit) {
            roll();
            counts[(int) (slotStart % counts.length)] += entries;
            lastCommit = commit;
        }

        synchronized double perSecond() {
            roll();
            long total = 0;
            for (int i = 0; i < counts.length; i++) {
                if (i != (int) (slotStart % counts.length)) {
                    total += counts[i];
                }
            }
            return total / (double) (counts.length - 1);
        }

        private void roll() {
            long now = System.nanoTime() / 1_000_000_000L;
            for (long s = slotStart + 1; s <= now && s <= slotStart + counts.length; s++) {
                counts[(int) (s % counts.length)] = 0;
            }
            slotStart = Math.max(slotStart, now);
        }
    }
}
