package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.Lsn;

class FollowProgressTest {

    @Test
    void theLagIsUnknownUntilTheFollowHasAPositionThenCountsFromIt() {
        FollowProgress progress = new FollowProgress();
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().bytes()).as("not the source's whole WAL").isEqualTo(-1);

        progress.startedAt(Lsn.parse("0/2000000"));
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().bytes()).isEqualTo(0x1000000);

        progress.probed(Lsn.parse("0/3000000"), Lsn.parse("0/2800000"), Lsn.parse("0/3000000"));
        assertThat(progress.lag().bytes()).as("from where the slot got, past what was applied").isEqualTo(0x800000);
    }

    @Test
    void theLagInSecondsCountsFromTheOldestPendingCommitElseFromTheLastAppliedOneWhileTheStreamIsBehind() {
        FollowProgress progress = new FollowProgress();
        java.time.Instant hourAgo = java.time.Instant.now().minusSeconds(3600);
        progress.committed(Lsn.parse("0/2000000"), hourAgo, 1);

        progress.probed(Lsn.parse("0/2000100"), Lsn.INVALID, Lsn.parse("0/2000100"));
        assertThat(progress.lag().seconds()).as("the stream has all there is: nothing waits").isZero();

        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.parse("0/2000100"));
        assertThat(progress.lag().seconds()).as("16 MB not sent yet: at most since the last applied commit").isGreaterThan(3500);

        progress.received(java.time.Instant.now().minusSeconds(60));
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.parse("0/2800000"));
        assertThat(progress.lag().seconds()).as("the oldest received and not applied").isBetween(59.0, 3000.0);

        progress.committed(Lsn.parse("0/3000000"), java.time.Instant.now(), 1);
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.parse("0/3000000"));
        assertThat(progress.lag().seconds()).as("caught up").isZero();
    }

    @Test
    void untilTheRunAppliesATransactionTheLagInSecondsCountsFromTheCommitTimeAnEarlierRunRecorded() {
        FollowProgress progress = new FollowProgress();
        progress.startedAt(Lsn.parse("0/2000000"));
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().secondsKnown()).as("16 MB not received yet, and no commit time to count from").isFalse();

        java.time.Instant hourAgo = java.time.Instant.now().minusSeconds(3600);
        progress.appliedBefore(hourAgo);
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().seconds()).as("16 MB not received yet: at most since the recorded commit").isGreaterThan(3500);

        progress.committed(Lsn.parse("0/2800000"), java.time.Instant.now().minusSeconds(10), 1);
        progress.appliedBefore(hourAgo);
        progress.probed(Lsn.parse("0/3000000"), Lsn.INVALID, Lsn.parse("0/2800000"));
        assertThat(progress.lag().seconds()).as("from this run's own last commit once it has one").isBetween(9.0, 600.0);
    }

    @Test
    void whileATransactionWaitsToBeAppliedTheLagCountsFromWhatWasAppliedNotFromTheSlot() {
        FollowProgress progress = new FollowProgress();
        progress.committed(Lsn.parse("0/2000000"), java.time.Instant.now(), 1);
        progress.received(java.time.Instant.now()); // a large transaction: the slot was confirmed past its start meanwhile
        progress.probed(Lsn.parse("0/8000000"), Lsn.parse("0/7F00000"), Lsn.parse("0/7F00000"));
        assertThat(progress.lag().bytes()).isEqualTo(0x6000000);

        progress.committed(Lsn.parse("0/7F00000"), java.time.Instant.now(), 1);
        progress.probed(Lsn.parse("0/8000000"), Lsn.parse("0/7F80000"), Lsn.parse("0/8000000"));
        assertThat(progress.lag().bytes()).as("nothing waits: from where the slot got").isEqualTo(0x80000);
    }

    @Test
    void whileTheFollowIsHeldUpTheLagInSecondsCountsFromWhenThatBegan() {
        FollowProgress progress = new FollowProgress();
        progress.startedAt(Lsn.parse("0/2000000")); // where the clone ended: never connected to the destination yet
        progress.probed(Lsn.parse("0/2000100"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().seconds()).as("under 1 MB behind, nothing pending, not held up").isZero();

        progress.trouble("cannot reach the destination");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            progress.probed(Lsn.parse("0/2000100"), Lsn.INVALID, Lsn.INVALID);
            return progress.lag().seconds() > 0;
        });
        assertThat(progress.lag().bytes()).isEqualTo(0x100);

        progress.trouble(null);
        progress.probed(Lsn.parse("0/2000100"), Lsn.INVALID, Lsn.INVALID);
        assertThat(progress.lag().seconds()).as("no longer held up").isZero();
    }
}
