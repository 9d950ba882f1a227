package dev.pgcorral.migration.clone;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One table's copy as it goes: pending → copying → copied. Rows are counted exactly when a part ends (the
 * server's {@code COPY n}); while a part runs, its rows are estimated from the bytes it has moved. Bytes are
 * the bytes passed from the source's COPY to the destination's. Thread-safe.
 */
public final class TableProgress {

    public enum Status { PENDING, COPYING, COPIED }

    private final SourceTable table;
    private final int parts;
    private final AtomicInteger partsDone = new AtomicInteger();
    private final AtomicInteger partsStarted = new AtomicInteger();
    private final AtomicLong rowsDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesRunning = new AtomicLong();
    private volatile long startedNanos;
    private volatile long endedNanos;

    TableProgress(SourceTable table, int parts) {
        this.table = table;
        this.parts = parts;
    }

    /** A table an earlier run copied, as it was recorded. */
    public static TableProgress copied(String schema, String name, long rows, long sizeBytes, long bytes, double elapsedSeconds) {
        TableProgress t = new TableProgress(new SourceTable(schema, name, sizeBytes, rows, 0, java.util.List.of(), false), 1);
        t.partStarted();
        t.partDone(rows, bytes);
        t.startedNanos = t.endedNanos - Math.round(elapsedSeconds * 1e9);
        return t;
    }

    SourceTable table() {
        return table;
    }

    void partStarted() {
        if (partsStarted.getAndIncrement() == 0) {
            startedNanos = System.nanoTime();
        }
    }

    void moved(long bytes) {
        bytesRunning.addAndGet(bytes);
    }

    /** A part ended: its exact rows; its bytes move from running to done. */
    void partDone(long rows, long bytes) {
        bytesRunning.addAndGet(-bytes);
        bytesDone.addAndGet(bytes);
        rowsDone.addAndGet(rows);
        if (partsDone.incrementAndGet() == parts) {
            endedNanos = System.nanoTime();
        }
    }

    /** A part failed and will be copied again: what it moved no longer counts. */
    void partFailed(long bytes) {
        bytesRunning.addAndGet(-bytes);
        partsStarted.decrementAndGet();
    }

    public String schema() {
        return table.schema();
    }

    public String name() {
        return table.name();
    }

    public Status status() {
        return partsDone.get() == parts ? Status.COPIED : partsStarted.get() > 0 ? Status.COPYING : Status.PENDING;
    }

    public long sizeBytes() {
        return table.sizeBytes();
    }

    public long bytesCopied() {
        return bytesDone.get() + Math.max(0, bytesRunning.get());
    }

    /** Exact once copied; before, the rows of finished parts plus an estimate for the running ones. */
    public long rowsCopied() {
        long running = Math.max(0, bytesRunning.get());
        long done = rowsDone.get();
        if (running == 0 || table.sizeBytes() == 0) {
            return done;
        }
        return done + Math.min(table.rowsEstimate(), Math.round((double) running / table.sizeBytes() * table.rowsEstimate()));
    }

    /** The estimate, or the copied count once known. */
    public long rowsTotal() {
        return status() == Status.COPIED ? rowsDone.get() : Math.max(table.rowsEstimate(), rowsCopied());
    }

    /** Percent of {@code pg_table_size} moved, capped at 99.9 until copied, then 100. */
    public double percent() {
        if (status() == Status.COPIED) {
            return 100.0;
        }
        if (table.sizeBytes() == 0) {
            return 0.0;
        }
        return Math.min(99.9, Math.round(1000.0 * bytesCopied() / table.sizeBytes()) / 10.0);
    }

    public double elapsedSeconds() {
        long start = startedNanos;
        if (start == 0) {
            return 0;
        }
        long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
        return (end - start) / 1e9;
    }
}
