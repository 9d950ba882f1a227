package dev.pgcorral.migration.follow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.pgcorral.common.pg.Lsn;

/**
 * How far a follow got, live: the last source transaction the destination committed (its end and commit
 * time), counts, and the lag against the source's current WAL position, probed five times a second.
 * Written by the follow's threads, read by anyone.
 */
public final class FollowProgress {

    /**
     * The lag as last probed; {@code bytes} is -1 before the first probe, {@code seconds} -1 while the stream is behind
     * and no commit time is known to count from (see {@link #probed}).
     */
    public record Lag(long bytes, double seconds, Lsn sourcePosition, Instant probedAt) {
        public static final Lag UNKNOWN = new Lag(-1, -1, Lsn.INVALID, null);

        public boolean secondsKnown() {
            return seconds >= 0;
        }
    }

    private volatile Lsn applied = Lsn.INVALID;
    private volatile Instant appliedCommitTime;
    /**
     * The commit time of the oldest source transaction received and not applied yet; kept when such work is dropped (the
     * stream resumes, or the apply retries an unreachable destination), since it comes again.
     */
    private volatile Instant oldestPending;
    private volatile Lag lag = Lag.UNKNOWN;
    private final LagHistory history = new LagHistory();
    private volatile String trouble;
    /** Since when the follow has been held up (it cannot reach a side, or waits for its origin); null: it is not. */
    private volatile Instant troubleSince;
    private boolean ended;
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();

    /** The end of the last source transaction committed on the destination. */
    public Lsn applied() {
        return applied;
    }

    public Instant appliedCommitTime() {
        return appliedCommitTime;
    }

    public long transactions() {
        return transactions.get();
    }

    public long changes() {
        return changes.get();
    }

    public Lag lag() {
        return lag;
    }

    /** The lag over the last five minutes, at most once a second, oldest first. */
    public List<Lag> lagHistory() {
        return history.list();
    }

    /** What keeps the follow from going on right now (a destination it retries), null when nothing. */
    public String trouble() {
        return trouble;
    }

    synchronized void startedAt(Lsn position) {
        if (position.isAfter(applied)) {
            applied = position;
            notifyAll();
        }
    }

    /**
     * The commit time on the source of a transaction an earlier run applied (null: none known): the lag in seconds counts
     * from it, as from the last applied, until this run applies one.
     */
    public void appliedBefore(Instant commitTime) {
        if (appliedCommitTime == null) {
            appliedCommitTime = commitTime;
        }
    }

    /** A source transaction arrived (its Begin): the oldest not yet applied sets the lag in seconds. */
    void received(Instant commitTime) {
        if (oldestPending == null) {
            oldestPending = commitTime;
        }
    }

    void changed() {
        changes.incrementAndGet();
    }

    void committed(Lsn end, Instant commitTime, int sourceTransactions) {
        synchronized (this) {
            applied = end;
            notifyAll();
        }
        appliedCommitTime = commitTime;
        oldestPending = null;
        transactions.addAndGet(sourceTransactions);
    }

    /** The follow ended (stopped, or failed): nothing more will be applied; a wait for more ends. */
    synchronized void ended() {
        ended = true;
        notifyAll();
    }

    /** Whether the follow ended: nothing more will be applied. */
    public synchronized boolean hasEnded() {
        return ended;
    }

    /**
     * Waits until the destination committed every source transaction that ends at or before {@code position}; false when
     * the time is up or the follow ended first.
     */
    public synchronized boolean awaitApplied(Lsn position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (applied.isBefore(position)) {
            if (ended) {
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    void trouble(String what) {
        if (what == null) {
            troubleSince = null;
        } else if (troubleSince == null) {
            troubleSince = Instant.now();
        }
        trouble = what;
    }

    /** The source's position cannot be read: the lag is not known until a probe reads it again. */
    void lagUnknown() {
        lag = Lag.UNKNOWN;
    }

    /** How far the stream may be behind the source's WAL before the lag in seconds counts from the last applied commit. */
    static final long BEHIND_BYTES = 1 << 20;

    /**
     * A probe of the source's WAL position; {@code done} is how far the follow is (what it applied, or
     * further while the slot idles), {@code received} how far the stream has read (data or keep-alive). Before the follow
     * has a position (neither), the lag stays as it was: counted from 0/0 it would be the source's whole WAL.
     * <p>The lag in seconds: from the commit of the oldest transaction received and not yet applied; while nothing is
     * but the follow is held up (it cannot apply what the source holds), from when that began; while neither, but the
     * stream is more than {@value #BEHIND_BYTES} bytes behind the source (the WAL sender has not sent it yet), from the
     * commit of the last one applied, which bounds it (-1 when none is known); else 0.
     */
    void probed(Lsn sourcePosition, Lsn done, Lsn received) {
        // the slot's confirmed position ("done") counts only while nothing waits to be applied: the source's keep-alives
        // move it on while a large transaction is being decoded, before the transaction itself has arrived
        Instant pending = oldestPending;
        Lsn from = pending != null && applied.isValid() ? applied : Lsn.max(done, applied);
        if (!from.isValid()) {
            return;
        }
        long bytes = Math.max(0, sourcePosition.bytesSince(from));
        Instant last = appliedCommitTime;
        Instant now = Instant.now();
        Instant heldUp = troubleSince;
        boolean behind = sourcePosition.bytesSince(Lsn.max(received, from)) > BEHIND_BYTES;
        Instant since = bytes == 0 ? null : pending != null ? pending : heldUp != null ? heldUp : behind ? last : null;
        double seconds = since != null ? Math.max(0, Duration.between(since, now).toNanos() / 1e9)
                : bytes > 0 && pending == null && heldUp == null && behind ? -1 : 0;
        lag = new Lag(bytes, seconds, sourcePosition, now);
        history.add(lag);
    }
}
