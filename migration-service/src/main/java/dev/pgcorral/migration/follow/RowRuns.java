package dev.pgcorral.migration.follow;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.ReplicationMessage;
import dev.pgcorral.common.logical.Row;

/**
 * The row changes of the open destination transaction that wait to be written a table at a time: per table, a run of
 * INSERTs, or of UPDATEs that each send every column and find their row by an unchanged key (a row's later UPDATE
 * replacing its earlier one). A run goes out as one statement over all its rows when the group commits, when
 * the table receives a change of another kind, or when it is {@value #MAX_ROWS} rows or {@value #MAX_CHARS} characters of
 * values long (so that a run of large values does not make a statement of hundreds of megabytes).
 * <p>Why it is correct: the apply uses runs only where the order of changes to different tables cannot be seen
 * within one transaction (triggers, rules and foreign-key checks do not fire, no unique or exclusion index but the
 * key's), and changes to one table keep their order: a run holds one kind of change, and whatever else the table
 * receives waits until its run is written. Its transaction commits all of it at once, as the source's did.
 */
final class RowRuns {

    static final int MAX_ROWS = 1000;
    static final long MAX_CHARS = 1L << 20;

    enum Kind { INSERT, UPDATE }

    /** A change waiting in a run, an INSERT or an UPDATE (a run of one is written as its own statement). */
    record Pending(ReplicationMessage change) {

        Row row() {
            return change instanceof ReplicationMessage.Update u ? u.newRow() : ((ReplicationMessage.Insert) change).newRow();
        }
    }

    /** One table's run: its target (the definition it was built on), kind, and rows by key (inserts: by arrival). */
    static final class Run {
        private final TargetTables.Target target;
        private final Kind kind;
        private final Map<Object, Pending> rows = new LinkedHashMap<>();
        /** The characters of the values added (a replaced row's too). */
        private long chars;

        Run(TargetTables.Target target, Kind kind) {
            this.target = target;
            this.kind = kind;
        }

        TargetTables.Target target() {
            return target;
        }

        Kind kind() {
            return kind;
        }

        Collection<Pending> rows() {
            return rows.values();
        }

        int size() {
            return rows.size();
        }

        private boolean takes(TargetTables.Target t, Kind k) {
            return target.version() == t.version() && kind == k;
        }
    }

    private final Map<Integer, Run> runs = new LinkedHashMap<>();

    /**
     * Adds a change to its table's run. Returns the run it ended, to be written before it, when the table's run was
     * of another kind or definition; null when none ended.
     *
     * @param key the row's key for an UPDATE (a later one of the same key replaces it); null for an INSERT
     */
    Run add(TargetTables.Target target, Kind kind, ReplicationMessage change, String key) {
        int table = target.relation().id();
        Run run = runs.get(table);
        Run ended = null;
        if (run != null && !run.takes(target, kind)) {
            ended = runs.remove(table);
            run = null;
        }
        if (run == null) {
            run = new Run(target, kind);
            runs.put(table, run);
        }
        Pending pending = new Pending(change);
        run.rows.put(key == null ? new Object() : key, pending);
        Row row = pending.row();
        for (int i = 0; i < row.size(); i++) {
            String text = row.text(i);
            run.chars += text == null ? 0 : text.length();
        }
        return ended;
    }

    /** The table's run once it is {@value #MAX_ROWS} rows or {@value #MAX_CHARS} characters long, taken out to be written; else null. */
    Run takeIfFull(TargetTables.Target target) {
        Run run = runs.get(target.relation().id());
        return run != null && (run.size() >= MAX_ROWS || run.chars >= MAX_CHARS) ? runs.remove(target.relation().id()) : null;
    }

    /** Takes out the table's run, to be written before another change to it; null when it has none. */
    Run take(TargetTables.Target target) {
        return runs.remove(target.relation().id());
    }

    /** Takes out every run, in the order they began. */
    List<Run> takeAll() {
        List<Run> all = new ArrayList<>(runs.values());
        runs.clear();
        return all;
    }

    void clear() {
        runs.clear();
    }
}
