package dev.pgcorral.migration.migration;

import java.sql.SQLException;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.follow.Switchover;

/**
 * At start-up, the runs the process's end cut off. A follow goes on by itself: the destination knows
 * where it got. A switchover that had completed is finished; one that had not gives the source its writes
 * back, and the follow goes on. A clone cannot go on (its snapshot ended with the process): it is marked
 * failed, and a followed one's slot is dropped, since a new start begins with a new one.
 */
final class AfterRestart {

    private static final Logger log = LoggerFactory.getLogger(AfterRestart.class);

    private final MigrationStore store;
    private final NodeResolver nodes;
    private final MadeOnSource made;
    private final Function<Migration, ConnectionDetails> destinations;
    /** Starts a migration again, with what its new run's events say about the restart. */
    private final BiConsumer<String, String> start;

    AfterRestart(MigrationStore store, NodeResolver nodes, MadeOnSource made, Function<Migration, ConnectionDetails> destinations,
                 BiConsumer<String, String> start) {
        this.store = store;
        this.nodes = nodes;
        this.made = made;
        this.destinations = destinations;
        this.start = start;
    }

    void resume() {
        for (Migration m : store.interrupted()) {
            MigrationStore.FollowState state = store.followState(m.id());
            if (m.status() == Migration.Status.SWITCHOVER && state.switchoverLsn() != null) {
                log.info("migration {}: the service restarted as its switchover completed; finishing it", m.id());
                store.status(m.id(), Migration.Status.COMPLETED, "switchover_complete");
                made.removeQuietly(m, "it switched over");
                continue;
            }
            String note = "the service restarted while the migration followed its source; it follows on";
            if (m.status() == Migration.Status.SWITCHOVER) {
                try {
                    Switchover.giveWritesBack(nodes.connection(m.sourceClusterId(), m.sourceNodeId()));
                    Switchover.giveWritesBack(destinations.apply(m)); // held read-only meanwhile
                    note = "the service restarted during a switchover, which did not complete; writes were given back to the source "
                            + "(and the destination, held read-only meanwhile, is writable again), and the follow goes on";
                    log.warn("migration {}: {}", m.id(), note);
                } catch (SQLException | RuntimeException e) {
                    note = "the service restarted during a switchover and could not give writes back: " + e.getMessage()
                            + "; run ALTER DATABASE … RESET default_transaction_read_only on the source and the destination";
                    log.error("migration {}: {}", m.id(), note);
                }
            }
            if (m.mode().follows() && m.status() != Migration.Status.RUNNING
                    && (state.cloneCompleted() || m.mode() == Migration.Mode.FOLLOW_ONLY)) {
                log.info("migration {}: the service restarted while it followed the source; following on", m.id());
                try {
                    store.stale(m.id(), "process was interrupted");
                    start.accept(m.id(), note);
                } catch (RuntimeException e) {
                    log.warn("migration {}: cannot follow on after the restart: {}", m.id(), e.getMessage());
                    store.stale(m.id(), "process was interrupted, and following on failed: " + e.getMessage());
                }
                continue;
            }
            store.stale(m.id(), "process was interrupted: start the migration again (the clone starts over: its snapshot ended "
                    + "with the process)");
            if (m.mode().follows()) {
                Thread t = new Thread(() -> made.removeQuietly(m, "its clone was cut off by a restart"), "migration-cleanup-" + m.id());
                t.setDaemon(true);
                t.start();
            }
        }
    }
}
