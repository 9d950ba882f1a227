package dev.pgcorral.migration.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.TableProgress;
import dev.pgcorral.migration.follow.FollowProgress;
import dev.pgcorral.migration.migration.LiveRun;

class MigrationJsonTest {

    @Test
    void theProgressSnapshotCountsTheTablesThatStreamAsCopied() {
        CloneProgress record = new CloneProgress();
        record.restored(List.of(TableProgress.copied("public", "orders", 100, 8192, 8192, 0.5),
                TableProgress.copied("public", "items", 20, 8192, 8192, 0.1)), List.of());
        record.enterPhase("streaming");

        Map<String, Object> snapshot = MigrationJson.snapshot(null, new LiveRun(record, null), null);

        List<Object> statuses = ((List<?>) snapshot.get("tables")).stream().map(t -> ((Map<?, ?>) t).get("status")).map(Object.class::cast).toList();
        assertThat(statuses).containsOnly("streaming");
        assertThat(snapshot).containsEntry("tables_total", 2).containsEntry("tables_copied", 2L).containsEntry("total_rows", 120L);
    }

    @Test
    void theFormattedLagSaysWhatIsNotKnown() {
        assertThat(MigrationJson.lagFormatted(null)).isEqualTo("0 B (latency: 0s)");
        assertThat(MigrationJson.lagFormatted(FollowProgress.Lag.UNKNOWN)).isEqualTo("unknown (latency: unknown)");
        assertThat(MigrationJson.lagFormatted(new FollowProgress.Lag(1957544, -1, Lsn.INVALID, Instant.now())))
                .as("behind, with no commit time to count from").isEqualTo("1.87 MB (latency: unknown)");
        assertThat(MigrationJson.lagFormatted(new FollowProgress.Lag(2048, 1.5, Lsn.INVALID, Instant.now()))).isEqualTo("2.00 KB (latency: 1.5s)");
    }
}
