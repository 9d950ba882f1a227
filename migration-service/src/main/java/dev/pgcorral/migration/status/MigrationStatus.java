package dev.pgcorral.migration.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.status.StatusSource;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.TableProgress;
import dev.pgcorral.migration.follow.FollowProgress;
import dev.pgcorral.migration.migration.LiveRun;
import dev.pgcorral.migration.migration.Migration;
import dev.pgcorral.migration.migration.Migrations;

/** migration-service's live status on {@code /topic/status}: every migration, with the progress of those running. */
public final class MigrationStatus implements StatusSource {

    public record Snapshot(Instant at, List<MigrationState> migrations) {
    }

    /** A migration; {@code tables}, rates and phases only while it runs, {@code follow} only while it follows. */
    public record MigrationState(String id, String name, String mode, String status, String phase, String error, int tablesTotal,
                                 int tablesCopied, long rowsCopied, long bytesCopied, double rowsPerSecond, double bytesPerSecond,
                                 List<Table> tables, List<CloneProgress.Phase> phases, Follow follow) {
    }

    /**
     * A follow: the last source position applied, the lag ({@code lagBytes} -1 until first measured), what
     * keeps it from going on (null when nothing); {@code lagSeconds} -1 while not known (see {@link dev.pgcorral.migration.follow.FollowProgress.Lag}).
     */
    public record Follow(String appliedLsn, long lagBytes, double lagSeconds, long transactions, long changes, String trouble) {
    }

    public record Table(String schema, String name, String status, long rowsCopied, long rowsTotal, long bytesCopied, long sizeBytes,
                        double percent) {
    }

    private final Migrations migrations;

    public MigrationStatus(Migrations migrations) {
        this.migrations = migrations;
    }

    @Override
    public Snapshot snapshot() {
        List<MigrationState> states = new ArrayList<>();
        for (Migration m : migrations.list()) {
            LiveRun run = migrations.live(m.id()).orElse(null);
            if (run == null) {
                states.add(new MigrationState(m.id(), m.name(), m.mode().wire(), m.status().wire(), m.phase(), m.errorMessage(), m.tablesTotal(),
                        m.tablesCopied(), m.rowsCopied(), m.bytesCopied(), 0, 0, List.of(), List.of(), null));
                continue;
            }
            CloneProgress live = run.record();
            CloneProgress.Rates rates = live.rates();
            List<Table> tables = new ArrayList<>();
            for (TableProgress t : live.tables()) {
                tables.add(new Table(t.schema(), t.name(), live.tableStatus(t), t.rowsCopied(), t.rowsTotal(),
                        t.bytesCopied(), t.sizeBytes(), t.percent()));
            }
            states.add(new MigrationState(m.id(), m.name(), m.mode().wire(), m.status().wire(), live.phase(), m.errorMessage(),
                    live.tables().size(), live.tablesCopied(), live.rowsCopied(), live.bytesCopied(), rates.rowsPerSecond(),
                    rates.bytesPerSecond(), tables, live.phases(), follow(run.follow())));
        }
        return new Snapshot(Instant.now(), states);
    }

    private static Follow follow(FollowProgress f) {
        if (f == null) {
            return null;
        }
        FollowProgress.Lag lag = f.lag();
        return new Follow(f.applied().toString(), lag.bytes(), lag.seconds(), f.transactions(), f.changes(), f.trouble());
    }
}
