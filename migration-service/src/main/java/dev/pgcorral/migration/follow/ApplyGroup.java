package dev.pgcorral.migration.follow;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.Lsn;

/** The source transactions a {@link Follower} applied in the destination's open transaction. Apply thread only. */
final class ApplyGroup {

    Lsn lastEnd;
    Instant lastCommitTime;
    int transactions;
    int changes;
    long started;
    boolean skipping;
    /** Changes applied of the source transaction being read. */
    int changesOfThisTransaction;

    /** Big or old enough to commit even though the stream has more at hand. */
    boolean full() {
        return changes >= Follower.GROUP_CHANGES || System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(Follower.GROUP_MILLIS);
    }

    void reset() {
        lastEnd = null;
        lastCommitTime = null;
        transactions = 0;
        changes = 0;
    }
}
