package dev.pgcorral.migration.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.TableProgress;
import dev.pgcorral.migration.compare.Comparer;
import dev.pgcorral.migration.follow.FollowProgress;
import dev.pgcorral.migration.migration.LiveRun;
import dev.pgcorral.migration.migration.Migration;
import dev.pgcorral.migration.migration.MigrationStore;

/**
 * pgmanager's JSON for migrations (field names, omitempty rules, RFC 3339 times, {@code HI/LO} positions),
 * with real numbers where it sends zeros. Built as ordered maps so that "omitted, not null" is exact.
 */
final class MigrationJson {

    private MigrationJson() {
    }

    static Map<String, Object> migration(Migration m, LiveRun running, MigrationStore store, Optional<ConnectionDetails> embedded,
                                         boolean lagHistory) {
        // a run whose outcome is stored may not have left the running ones yet: what was stored speaks for it
        LiveRun run = m.status().ended() ? null : running;
        CloneProgress live = run == null ? null : run.record();
        MigrationStore.FollowState follow = m.mode() == Migration.Mode.CLONE_ONLY ? null : store.followState(m.id());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", m.id());
        json.put("name", m.name());
        json.put("source_cluster_id", m.sourceClusterId());
        json.put("dest_cluster_id", m.destClusterId());
        json.put("source_node_id", m.sourceNodeId());
        json.put("dest_node_id", m.destNodeId());
        embedded.ifPresent(d -> { // ours: where to reach the copy (the password is the service's embedded one)
            Map<String, Object> where = new LinkedHashMap<>();
            where.put("host", d.host());
            where.put("port", d.port());
            where.put("user", d.user());
            where.put("database", d.database());
            json.put("dest_embedded", where);
        });
        json.put("mode", m.mode().wire());
        json.put("fallback", m.fallback());
        json.put("status", m.status().wire());
        json.put("phase", m.phase());
        omitEmpty(json, "error_message", m.errorMessage());
        json.put("slot_name", m.slotName());
        json.put("publication", m.publication());
        json.put("copy_workers", m.copyWorkers());
        if (m.confirmedLsn() != null) {
            json.put("confirmed_lsn", new Lsn(m.confirmedLsn()).toString());
        }
        json.put("tables_total", live == null ? m.tablesTotal() : live.tables().size());
        json.put("tables_copied", live == null ? m.tablesCopied() : live.tablesCopied());
        // ours: what the last run moved, and how its tables and phases ended
        json.put("rows_copied", live == null ? m.rowsCopied() : live.rowsCopied());
        json.put("bytes_copied", live == null ? m.bytesCopied() : live.bytesCopied());
        if (follow != null && follow.switchoverLsn() != null) { // ours: the switchover that completed
            json.put("switchover_lsn", follow.switchoverLsn().toString());
            json.put("switchover_downtime_ms", follow.switchoverDowntimeMillis());
        }
        omitNull(json, "started_at", m.startedAt());
        omitNull(json, "finished_at", m.finishedAt());
        json.put("created_at", m.createdAt().toString());
        json.put("updated_at", m.updatedAt().toString());
        if (live != null) {
            live(json, live, run.follow(), m.mode().follows(), lagHistory);
        } else if (m.startedAt() != null) {
            List<Map<String, Object>> tables = new ArrayList<>();
            for (MigrationStore.StoredTable t : store.tables(m.id())) {
                tables.add(table(t.schema(), t.name(), t.status(), t.rowsTotal(), t.rowsCopied(), t.sizeBytes(), t.bytesCopied(), t.percent(),
                        t.elapsedSeconds()));
            }
            json.put("tables", tables);
            json.put("phases", phases(store.phases(m.id())));
        }
        return json;
    }

    /** The tables of a run in progress, each as pgmanager shows one. */
    private static List<Map<String, Object>> liveTables(CloneProgress live) {
        List<Map<String, Object>> tables = new ArrayList<>();
        for (TableProgress t : live.tables()) {
            tables.add(table(t.schema(), t.name(), live.tableStatus(t), t.rowsTotal(), t.rowsCopied(), t.sizeBytes(), t.bytesCopied(),
                    t.percent(), t.elapsedSeconds()));
        }
        return tables;
    }

    /** The rows the clone copied plus the changes the run's follow applied (pgmanager counts its transactions). */
    private static long totalRows(CloneProgress live, FollowProgress follow) {
        return live.rowsCopied() + (follow == null ? 0 : follow.changes());
    }

    private static List<Map<String, Object>> lagHistory(FollowProgress follow) {
        List<Map<String, Object>> history = new ArrayList<>();
        for (FollowProgress.Lag sample : follow.lagHistory()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("at", sample.probedAt().toString());
            point.put("bytes", sample.bytes());
            if (sample.secondsKnown()) {
                point.put("seconds", sample.seconds());
            }
            history.add(point);
        }
        return history;
    }

    /**
     * pgmanager's {@code live_*} fields, every one omitted when empty or zero. {@code follows}: the migration's mode follows
     * the source, so before its follow runs (a clone) the lag is not known.
     */
    private static void live(Map<String, Object> json, CloneProgress live, FollowProgress follow, boolean follows, boolean lagHistory) {
        CloneProgress.Rates rates = live.rates();
        omitEmpty(json, "live_phase", live.phase());
        json.put("live_lsn", follow == null ? "0/0" : follow.applied().toString());
        omitZero(json, "live_tables_total", live.tables().size());
        omitZero(json, "live_tables_copied", live.tablesCopied());
        List<Map<String, Object>> tables = liveTables(live);
        if (!tables.isEmpty()) {
            json.put("live_tables", tables);
        }
        omitZero(json, "live_rows_per_sec", rates.rowsPerSecond());
        omitZero(json, "live_bytes_per_sec", rates.bytesPerSecond());
        omitZero(json, "live_total_rows", totalRows(live, follow));
        omitZero(json, "live_total_bytes", live.bytesCopied());
        FollowProgress.Lag lag = follow == null ? null : follow.lag();
        if (lag != null && lag.bytes() >= 0) {
            omitZero(json, "live_lag_bytes", lag.bytes());
            omitZero(json, "live_lag_seconds", Math.max(0, lag.seconds())); // ours
        }
        // before the follow runs (a clone, or a server it waits for, see live_trouble) the lag is not known
        json.put("live_lag_formatted", lagFormatted(lag == null && (follows || live.trouble() != null) ? FollowProgress.Lag.UNKNOWN : lag));
        if (follow != null) {
            omitZero(json, "live_transactions_applied", follow.transactions()); // ours
            if (lagHistory && !follow.lagHistory().isEmpty()) {
                json.put("live_lag_history", lagHistory(follow)); // ours: for a chart opened while it follows
            }
        }
        omitEmpty(json, "live_trouble", follow != null && follow.trouble() != null ? follow.trouble() : live.trouble()); // ours
        List<Map<String, Object>> events = new ArrayList<>();
        for (CloneProgress.Event e : live.events()) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("time", e.time().toString());
            event.put("type", e.type());
            event.put("message", e.message());
            if (!e.fields().isEmpty()) {
                event.put("fields", new java.util.TreeMap<>(e.fields()));
            }
            events.add(event);
        }
        if (!events.isEmpty()) {
            json.put("live_events", events);
        }
        json.put("live_phases", phases(live.phases()));
        List<Map<String, Object>> errors = new ArrayList<>();
        for (CloneProgress.Failure f : live.failures()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("time", f.time().toString());
            error.put("phase", f.phase());
            error.put("message", f.message());
            error.put("retryable", f.retryable());
            errors.add(error);
        }
        if (!errors.isEmpty()) {
            json.put("live_error_history", errors);
            json.put("live_error_count", errors.size());
        }
        omitZero(json, "live_elapsed_sec", (Instant.now().toEpochMilli() - live.started().toEpochMilli()) / 1000.0);
    }

    /**
     * pgmanager's {@code "<n> B|KB|MB|GB (latency: <duration>)"}, 1024-based, two decimals from 1 KiB on; while the follow
     * cannot read the source's position (or has not run yet), {@code "unknown (latency: unknown)"}; the bytes with
     * {@code "latency: unknown"} while no commit time is known to count the seconds from.
     */
    static String lagFormatted(FollowProgress.Lag lag) {
        if (lag != null && lag.bytes() < 0) {
            return "unknown (latency: unknown)";
        }
        long bytes = lag == null ? 0 : Math.max(0, lag.bytes());
        double seconds = lag == null ? 0 : lag.seconds();
        String size;
        if (bytes < 1024) {
            size = bytes + " B";
        } else if (bytes < 1024L * 1024) {
            size = String.format(java.util.Locale.ROOT, "%.2f KB", bytes / 1024.0);
        } else if (bytes < 1024L * 1024 * 1024) {
            size = String.format(java.util.Locale.ROOT, "%.2f MB", bytes / (1024.0 * 1024));
        } else {
            size = String.format(java.util.Locale.ROOT, "%.2f GB", bytes / (1024.0 * 1024 * 1024));
        }
        return size + " (latency: " + (seconds < 0 ? "unknown" : goDuration(seconds)) + ")";
    }

    /** A duration as Go prints one: {@code 0s}, {@code 350ms}, {@code 1.5s}, {@code 2m3s}. */
    private static String goDuration(double seconds) {
        if (seconds <= 0) {
            return "0s";
        }
        if (seconds < 1) {
            return Math.round(seconds * 1000) + "ms";
        }
        if (seconds < 60) {
            return new java.math.BigDecimal(seconds).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + "s";
        }
        long whole = Math.round(seconds);
        return (whole / 3600 > 0 ? whole / 3600 + "h" : "") + (whole % 3600) / 60 + "m" + whole % 60 + "s";
    }

    /** pgmanager's progress snapshot (§5.1) of a migration; of nothing (no migration yet), an empty one. */
    static Map<String, Object> snapshot(Migration m, LiveRun run, MigrationStore store) {
        CloneProgress live = run == null ? null : run.record();
        FollowProgress follow = run == null ? null : run.follow();
        FollowProgress.Lag lag = follow == null ? null : follow.lag();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("timestamp", Instant.now().toString());
        json.put("phase", live != null ? live.phase() : m == null ? "" : m.phase());
        json.put("elapsed_sec", live == null ? 0 : (Instant.now().toEpochMilli() - live.started().toEpochMilli()) / 1000.0);
        String applied = follow == null ? "0/0" : follow.applied().toString();
        json.put("applied_lsn", applied);
        json.put("confirmed_lsn", applied);
        json.put("lag_bytes", lag == null ? 0 : Math.max(0, lag.bytes()));
        json.put("lag_formatted", lagFormatted(lag));
        List<Map<String, Object>> tables = live != null ? liveTables(live) : new ArrayList<>();
        if (live == null && m != null) {
            for (MigrationStore.StoredTable t : store.tables(m.id())) {
                tables.add(table(t.schema(), t.name(), t.status(), t.rowsTotal(), t.rowsCopied(), t.sizeBytes(), t.bytesCopied(), t.percent(),
                        t.elapsedSeconds()));
            }
        }
        json.put("tables_total", tables.size());
        // as pgmanager counts them: a copied table reads "streaming" once the follow streams
        json.put("tables_copied", tables.stream().filter(t -> "copied".equals(t.get("status")) || "streaming".equals(t.get("status"))).count());
        json.put("tables", tables);
        CloneProgress.Rates rates = live == null ? new CloneProgress.Rates(0, 0) : live.rates();
        json.put("rows_per_sec", rates.rowsPerSecond());
        json.put("bytes_per_sec", rates.bytesPerSecond());
        json.put("total_rows", live != null ? totalRows(live, follow) : m == null ? 0 : m.rowsCopied());
        json.put("total_bytes", live != null ? live.bytesCopied() : m == null ? 0 : m.bytesCopied());
        List<CloneProgress.Failure> failures = live == null ? List.of() : live.failures();
        if (!failures.isEmpty()) {
            json.put("error_count", failures.size());
            json.put("last_error", failures.get(failures.size() - 1).message());
        } else if (m != null && !m.errorMessage().isEmpty()) { // an ended run's error: the one it ended with
            json.put("error_count", 1);
            json.put("last_error", m.errorMessage());
        } else {
            json.put("error_count", 0);
        }
        List<CloneProgress.Phase> phases = live != null ? live.phases() : m == null ? List.of() : store.phases(m.id());
        if (!phases.isEmpty()) {
            json.put("phases", phases(phases));
        }
        return json;
    }

    static Map<String, Object> table(String schema, String name, String status, long rowsTotal, long rowsCopied, long sizeBytes,
                                     long bytesCopied, double percent, double elapsed) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("schema", schema);
        t.put("name", name);
        t.put("status", status);
        t.put("rows_total", rowsTotal);
        t.put("rows_copied", rowsCopied);
        t.put("size_bytes", sizeBytes);
        t.put("bytes_copied", bytesCopied);
        t.put("percent", percent);
        t.put("elapsed_sec", elapsed);
        return t;
    }

    static List<Map<String, Object>> phases(List<CloneProgress.Phase> phases) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (CloneProgress.Phase p : phases) {
            Map<String, Object> phase = new LinkedHashMap<>();
            phase.put("phase", p.phase());
            phase.put("started_at", p.startedAt().toString());
            phase.put("ended_at", p.endedAt() == null ? "0001-01-01T00:00:00Z" : p.endedAt().toString());
            phase.put("duration_sec", p.durationSeconds());
            list.add(phase);
        }
        return list;
    }

    static Map<String, Object> compare(Comparer.Result result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("equal", result.equal());
        json.put("tables_compared", result.tablesCompared());
        json.put("tables_differing", result.tablesDiffering());
        json.put("source_snapshot", result.sourceSnapshot());
        if (result.note() != null) {
            json.put("note", result.note());
        }
        json.put("started_at", result.startedAt().toString());
        json.put("finished_at", result.finishedAt().toString());
        List<Map<String, Object>> tables = new ArrayList<>();
        for (Comparer.TableResult t : result.tables()) {
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("schema", t.schema());
            table.put("name", t.name());
            table.put("equal", t.equal());
            table.put("source_rows", t.sourceRows());
            table.put("dest_rows", t.destinationRows());
            table.put("source_hash", t.sourceHash());
            table.put("dest_hash", t.destinationHash());
            if (t.difference() != null) {
                table.put("difference", t.difference());
            }
            tables.add(table);
        }
        json.put("tables", tables);
        return json;
    }

    static List<Map<String, Object>> logs(List<CloneProgress.LogEntry> entries) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (CloneProgress.LogEntry e : entries) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("time", e.time().toString());
            entry.put("level", e.level());
            entry.put("message", e.message());
            if (!e.fields().isEmpty()) {
                entry.put("fields", new java.util.TreeMap<>(e.fields()));
            }
            list.add(entry);
        }
        return list;
    }

    private static void omitEmpty(Map<String, Object> json, String key, String value) {
        if (value != null && !value.isEmpty()) {
            json.put(key, value);
        }
    }

    private static void omitNull(Map<String, Object> json, String key, Instant value) {
        if (value != null) {
            json.put(key, value.toString());
        }
    }

    private static void omitZero(Map<String, Object> json, String key, double value) {
        if (value != 0) {
            json.put(key, value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : (Object) value);
        }
    }
}
