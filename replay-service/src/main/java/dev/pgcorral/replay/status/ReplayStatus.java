package dev.pgcorral.replay.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.pgcorral.common.status.StatusSource;
import dev.pgcorral.replay.capture.Capture;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.checkpoint.CheckpointStore;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SessionStore;
import dev.pgcorral.replay.travel.Restore;
import dev.pgcorral.replay.travel.Restorer;

/** The live status on {@code /topic/status}: sessions with capture state, lag, rate, last checkpoint; restores under way. */
public class ReplayStatus implements StatusSource {

    /**
     * @param lagBytes   WAL the source has that is not stored yet (as far as the stream has seen)
     * @param lagSeconds how long ago the last stored transaction committed, while there is lag; else 0
     */
    public record SessionStatus(UUID id, String name, String database, String state, String error, boolean active, boolean streaming,
                                boolean ddlCapture, long entries, long lagBytes, double lagSeconds, double changesPerSecond,
                                Long targetSeq, String lastCheckpoint) {
    }

    public record RestoreStatus(UUID id, UUID sessionId, long entriesApplied, long entriesTotal, double seconds, String startPoint) {
    }

    public record Snapshot(String service, Instant at, List<SessionStatus> sessions, List<RestoreStatus> restores) {
    }

    private final SessionStore sessions;
    private final CheckpointStore checkpoints;
    private final Capture capture;
    private final Restorer restorer;

    public ReplayStatus(SessionStore sessions, CheckpointStore checkpoints, Capture capture, Restorer restorer) {
        this.sessions = sessions;
        this.checkpoints = checkpoints;
        this.capture = capture;
        this.restorer = restorer;
    }

    @Override
    public Snapshot snapshot() {
        List<SessionStatus> list = new ArrayList<>();
        for (Session s : sessions.all()) {
            Capture.Stats stats = capture.stats(s.id());
            long lagBytes = stats.pendingBytes();
            double lagSeconds = lagBytes > 0 && s.storedAt() != null ? Duration.between(s.storedAt(), Instant.now()).toMillis() / 1000.0 : 0;
            String last = checkpoints.ofSession(s.id()).stream().filter(Checkpoint::captured)
                    .reduce((a, b) -> b.entryIndex() >= a.entryIndex() ? b : a).map(Checkpoint::name).orElse(null);
            list.add(new SessionStatus(s.id(), s.name(), s.source().database(), s.state().name(), s.error(), s.active(), stats.streaming(),
                    s.ddlCapture(), s.entries(), lagBytes, lagSeconds, stats.changesPerSecond(), s.targetSeq(), last));
        }
        List<RestoreStatus> restores = new ArrayList<>();
        for (Restore r : restorer.running()) {
            restores.add(new RestoreStatus(r.id(), r.sessionId(), r.entriesApplied(), r.entriesTotal(), r.duration().toMillis() / 1000.0,
                    r.startPoint()));
        }
        return new Snapshot("replay-service", Instant.now(), list, restores);
    }
}
