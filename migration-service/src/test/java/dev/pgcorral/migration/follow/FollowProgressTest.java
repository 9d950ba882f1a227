package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.Lsn;

class FollowProgressTest {

    @Test
    void theLagIsUnknownUntilTheFollowHasAPositionThenCountsFromIt() {
        FollowProgress progress = new FollowProgress();
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID);
        assertThat(progress.lag().bytes()).as("not the source's whole WAL").isEqualTo(-1);

        progress.startedAt(Lsn.parse("0/2000000"));
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID);
        assertThat(progress.lag().bytes()).isEqualTo(0x1000000);

        progress.probed(Lsn.parse("0/3000000"), Lsn.parse("0/2800000"));
        assertThat(progress.lag().bytes()).as("from where the slot got, past what was applied").isEqualTo(0x800000);
    }
}
