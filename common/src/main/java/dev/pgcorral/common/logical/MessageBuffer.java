package dev.pgcorral.common.logical;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-over from a stream's reader to its consumer, bounded by the bytes of the messages it
 * holds: a full buffer makes the reader wait (and so the source), instead of memory growing. One
 * message larger than the bound is still let through on its own. A failure ends it for the consumer
 * once it has taken what was buffered before.
 */
final class MessageBuffer {

    private record Entry(ReplicationMessage message, long bytes) {
    }

    private final long capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private long bytes;
    private long highWater;
    private RuntimeException failure;

    MessageBuffer(long capacity) {
        this.capacity = capacity;
    }

    /** Adds {@code message}, waiting up to {@code nanos} for room; false when there was none. */
    boolean offer(ReplicationMessage message, long size, long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (bytes > 0 && bytes + size > capacity) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos);
            }
            entries.addLast(new Entry(message, size));
            bytes += size;
            highWater = Math.max(highWater, bytes);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, waiting up to {@code nanos}; null when none came.
     *
     * @throws RuntimeException the failure the buffer was ended with, once it is empty
     */
    ReplicationMessage poll(long nanos) throws InterruptedException {
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
            Entry entry = entries.removeFirst();
            bytes -= entry.bytes();
            notFull.signal();
            return entry.message();
        } finally {
            lock.unlock();
        }
    }

    /** Drops what the consumer has not taken yet (it will come again after a reconnect). */
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
