package dev.pgcorral.migration.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class CloneProgressTest {

    @Test
    void aCloneRestoredFromAnEarlierRunIsNoThroughputOfThisOne() {
        CloneProgress record = new CloneProgress();
        assertThat(record.rates().rowsPerSecond()).isZero(); // a status read before the restore: nothing copied yet

        record.restored(List.of(TableProgress.copied("public", "orders", 500_000, 64_000_000, 64_000_000, 12.5)), List.of());

        assertThat(record.rowsCopied()).isEqualTo(500_000);
        CloneProgress.Rates rates = record.rates();
        assertThat(rates.rowsPerSecond()).isZero();
        assertThat(rates.bytesPerSecond()).isZero();
    }
}
