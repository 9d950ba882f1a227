package dev.pgcorral.migration.clone;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A run's live record: phases with their times, per-table progress, events, errors, and throughput over the last
 * minute; its log lines go to a keeper (the migration's store). Thread-safe: workers write, the API and the status
 * broadcaster read.
 */
public final class CloneProgress {

    static final int EVENT_CAPACITY = 200;
    private static final long RATE_WINDOW_NANOS = 60_000_000_000L;

    public record Phase(String phase, Instant startedAt, Instant endedAt) {
        public double durationSeconds() {
            return ((endedAt == null ? Instant.now() : endedAt).toEpochMilli() - startedAt.toEpochMilli()) / 1000.0;
        }
    }

    public record Event(Instant time, String type, String message, Map<String, String> fields) {
    }

    public record LogEntry(Instant time, String level, String message, Map<String, String> fields) {
    }

    public record Failure(Instant time, String phase, String message, boolean retryable) {
    }

    /** Rows and bytes per second over the last minute (at least one second). */
    public record Rates(double rowsPerSecond, double bytesPerSecond) {
    }

    private record Sample(long nanos, long rows, long bytes) {
    }

    private final List<Phase> phases = new ArrayList<>();
    private final List<TableProgress> tables = new CopyOnWriteArrayList<>();
    private final Deque<Event> events = new ArrayDeque<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    private String trouble;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Instant started = Instant.now();
    private final Consumer<LogEntry> keeper;

    /** A record whose log lines go nowhere. */
    public CloneProgress() {
        this(line -> { });
    }

    /** A record that hands each log line to {@code keeper} (which must not throw). */
    public CloneProgress(Consumer<LogEntry> keeper) {
        this.keeper = keeper;
    }

    public Instant started() {
        return started;
    }

    public synchronized void enterPhase(String phase) {
        Instant now = Instant.now();
        if (!phases.isEmpty() && phases.get(phases.size() - 1).endedAt() == null) { // a restored one ended already
            Phase last = phases.remove(phases.size() - 1);
            phases.add(new Phase(last.phase(), last.startedAt(), now));
        }
        phases.add(new Phase(phase, now, null));
        event("phase_change", "entered phase: " + phase, Map.of());
    }

    /** Closes the last phase (the run ended). */
    public synchronized void end() {
        if (!phases.isEmpty() && phases.get(phases.size() - 1).endedAt() == null) {
            Phase last = phases.remove(phases.size() - 1);
            phases.add(new Phase(last.phase(), last.startedAt(), Instant.now()));
        }
    }

    /**
     * What an earlier run of this migration cloned, for a run that follows on from it: the tables as copied and the
     * clone's phases. Call before the run enters a phase of its own.
     */
    public synchronized void restored(List<TableProgress> copied, List<Phase> clonePhases) {
        tables.clear();
        tables.addAll(copied);
        phases.clear();
        phases.addAll(clonePhases);
        samples.clear(); // what an earlier run copied is no throughput of this one
    }

    public synchronized String phase() {
        return phases.isEmpty() ? "" : phases.get(phases.size() - 1).phase();
    }

    public synchronized List<Phase> phases() {
        return List.copyOf(phases);
    }

    void tables(List<TableProgress> list) {
        tables.clear();
        tables.addAll(list);
    }

    /** In copy order, largest first. */
    public List<TableProgress> tables() {
        return Collections.unmodifiableList(tables);
    }

    /**
     * A table's status as pgmanager reports it: {@code pending}, {@code copying}, {@code copied}, and {@code streaming} for a
     * copied one once the follow streams (every table at once, as CDC starts), through a switchover.
     */
    public String tableStatus(TableProgress table) {
        String phase = phase();
        boolean follows = phase.equals("streaming") || phase.startsWith("switchover");
        return follows && table.status() == TableProgress.Status.COPIED ? "streaming" : table.status().name().toLowerCase(java.util.Locale.ROOT);
    }

    public int tablesCopied() {
        return (int) tables.stream().filter(t -> t.status() == TableProgress.Status.COPIED).count();
    }

    public long rowsCopied() {
        return tables.stream().mapToLong(TableProgress::rowsCopied).sum();
    }

    public long bytesCopied() {
        return tables.stream().mapToLong(TableProgress::bytesCopied).sum();
    }

    public synchronized void event(String type, String message, Map<String, String> fields) {
        if (events.size() == EVENT_CAPACITY) {
            for (int i = 0; i < EVENT_CAPACITY / 4; i++) {
                events.removeFirst();
            }
        }
        events.addLast(new Event(Instant.now(), type, message, Map.copyOf(fields)));
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Hands a log line to the record's keeper. */
    public void log(String level, String message, Map<String, String> fields) {
        keeper.accept(new LogEntry(Instant.now(), level, message, Map.copyOf(fields)));
    }

    /** What the run is waiting out before it follows (a server it cannot reach yet); null: nothing. */
    public synchronized void trouble(String what) {
        trouble = what;
    }

    public synchronized String trouble() {
        return trouble;
    }

    public synchronized void failure(String message, boolean retryable) {
        if (failures.size() == EVENT_CAPACITY) {
            failures.removeFirst();
        }
        failures.addLast(new Failure(Instant.now(), phase(), message, retryable));
    }

    /** Whether the last failure recorded says {@code message} (the clone records its own before it throws). */
    public synchronized boolean lastFailureSays(String message) {
        return !failures.isEmpty() && failures.getLast().message().equals(message);
    }

    public synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Throughput over the last minute; each call adds a sample. */
    public synchronized Rates rates() {
        long now = System.nanoTime();
        Sample current = new Sample(now, rowsCopied(), bytesCopied());
        samples.addLast(current);
        while (samples.size() > 1 && now - samples.peekFirst().nanos() > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
        Sample oldest = samples.peekFirst();
        double seconds = Math.max(1.0, (now - oldest.nanos()) / 1e9);
        return new Rates((current.rows() - oldest.rows()) / seconds, (current.bytes() - oldest.bytes()) / seconds);
    }
}
