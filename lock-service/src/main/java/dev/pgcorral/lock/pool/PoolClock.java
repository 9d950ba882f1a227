package dev.pgcorral.lock.pool;

import java.time.Instant;

/**
 * The pool's two clocks: a monotonic one that every deadline (expiry, wait timeout) is measured on, so
 * a step of the wall clock cannot keep a lease locked or end it early, and the wall clock for the
 * times shown to people. Injectable so the ledger can be tested deterministically.
 */
public interface PoolClock {

    PoolClock SYSTEM = new PoolClock() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }
    };

    /** Monotonic nanoseconds, only meaningful as differences. */
    long nanos();

    /** Wall-clock time, for display. */
    Instant now();
}
