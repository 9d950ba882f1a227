package dev.pgcorral.migration.migration;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.migration.clone.CloneState;

/**
 * The snapshots of clones that failed or were stopped while copying (a start resumes on one) or completed (a compare
 * reads the source through one), each kept for {@code keep-snapshot}, then released.
 */
final class KeptSnapshots implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeptSnapshots.class);

    private record Kept(CloneState state, Instant until) {
    }

    private final Duration keepFor;
    private final MigrationStore store;
    private final MadeOnSource made;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    KeptSnapshots(Duration keepFor, MigrationStore store, MadeOnSource made) {
        this.keepFor = keepFor;
        this.store = store;
        this.made = made;
    }

    /** Keeps what a run leaves (its snapshot), unless the migration is gone or has no use for it. */
    void keep(String id, MigrationRun run) {
        run.leftover().ifPresent(state -> {
            boolean useful = !run.followed() || state.resumable();
            if (!useful || keepFor.isZero() || store.find(id).isEmpty() || (run.cancelled() && !run.keepSlot() && run.followed())) {
                state.close();
            } else {
                kept.put(id, new Kept(state, Instant.now().plus(keepFor)));
                if (state.resumable()) {
                    run.record().log("info", "the snapshot is kept for " + keepFor.toMinutes() + " min: started again within that time, "
                            + "the migration resumes on it (" + state.describe() + ")", java.util.Map.of("component", "clone"));
                }
            }
        });
    }

    /** The snapshot kept for the migration, taken away (a new run resumes on it, or it is closed). */
    Optional<CloneState> take(String id) {
        return Optional.ofNullable(kept.remove(id)).map(Kept::state);
    }

    /** The snapshot kept for the migration, left where it is. */
    Optional<CloneState> get(String id) {
        return Optional.ofNullable(kept.get(id)).map(Kept::state);
    }

    /**
     * Releases the snapshots whose time is up; a followed migration's slot is dropped with one whose clone did not
     * complete (a start clones again), unless {@code running}.
     */
    void dropExpired(Predicate<String> running) {
        Instant now = Instant.now();
        kept.forEach((id, k) -> {
            if (k.until().isBefore(now) && kept.remove(id, k)) {
                log.info("migration {}: the snapshot kept to resume its clone is released ({} passed)", id, keepFor);
                k.state().close();
                store.find(id).filter(m -> m.mode() != Migration.Mode.CLONE_ONLY && !running.test(id)
                        && !store.followState(id).cloneCompleted()).ifPresent(m -> made.removeQuietly(m, "its clone's snapshot expired"));
            }
        });
    }

    @Override
    public void close() {
        kept.values().forEach(k -> k.state().close());
        kept.clear();
    }
}
