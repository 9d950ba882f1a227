package dev.pgcorral.common.logical;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-over from a stream's reader to its consumer, bounded by the bytes of the messages it
 * holds: a full buffer makes the reader wait (and so the source), instead of memory growing. A batch
 * larger than the bound is still let through on its own.
 * <p>
 * Messages move in batches: the reader offers what it decoded in one go, and the consumer takes
 * everything waiting into a queue of its own and serves its polls from there without locking. So
 * at most twice the bound is held: one batch with the consumer, one waiting. A failure ends the
 * buffer for the consumer once it has taken what was there before.
 */
final class MessageBuffer {

    private final long capacity;
    private final ArrayDeque<ReplicationMessage> entries = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private long bytes;
    private long highWater;
    private RuntimeException failure;

    // consumer thread only
    private final ArrayDeque<ReplicationMessage> taken = new ArrayDeque<>();

    MessageBuffer(long capacity) {
        this.capacity = capacity;
    }

    /** Adds {@code batch} ({@code size} bytes), waiting up to {@code nanos} for room; false when there was none. */
    boolean offer(List<ReplicationMessage> batch, long size, long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (bytes > 0 && bytes + size > capacity) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos);
            }
            boolean wasEmpty = entries.isEmpty();
            entries.addAll(batch);
            bytes += size;
            highWater = Math.max(highWater, bytes);
            if (wasEmpty) {
                notEmpty.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, waiting up to {@code nanos}; null when none came. Consumer thread only.
     *
     * @throws RuntimeException the failure the buffer was ended with, once it is empty
     */
    ReplicationMessage poll(long nanos) throws InterruptedException {
        ReplicationMessage next = taken.pollFirst();
        if (next != null) {
            return next;
        }
        lock.lock();
        try {
            while (entries.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            taken.addAll(entries);
            entries.clear();
            bytes = 0;
            notFull.signal();
        } finally {
            lock.unlock();
        }
        return taken.pollFirst();
    }

    /**
     * Drops what waits for the consumer (it will come again after a reconnect). What the consumer
     * took already it still gets, before anything offered after this.
     */
    void clear() {
        lock.lock();
        try {
            entries.clear();
            bytes = 0;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void end(RuntimeException cause) {
        lock.lock();
        try {
            failure = cause;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return entries.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    long highWater() {
        lock.lock();
        try {
            return highWater;
        } finally {
            lock.unlock();
        }
    }

    static long toNanos(java.time.Duration duration) {
        return TimeUnit.NANOSECONDS.convert(duration);
    }
}
