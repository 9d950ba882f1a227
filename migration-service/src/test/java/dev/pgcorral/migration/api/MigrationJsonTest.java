package dev.pgcorral.migration.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.TableProgress;
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
}
