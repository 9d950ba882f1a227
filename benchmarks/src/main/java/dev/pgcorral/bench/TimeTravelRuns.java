package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.percentile;
import static dev.pgcorral.bench.Reports.ratio;
import static dev.pgcorral.bench.Reports.round;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;
import tools.jackson.databind.JsonNode;

/**
 * Time travel with replay-service running: a checkpoint after the workload and its kept copy; restores to it
 * ({@code ?wait=true}, alternating with restores to Creation so that each one moves the target) against
 * the raw {@code DROP DATABASE; CREATE DATABASE ... TEMPLATE <that copy> STRATEGY FILE_COPY} on the same
 * server, interleaved; then a restore to a commit near the end of the workload, before the checkpoint,
 * which starts from the base copy (Creation) and applies the captured changes.
 */
final class TimeTravelRuns {

    static final double TARGET_TEMPLATE_RATIO = 2.0;
    private static final String RAW_DB = "bench_raw_restore";
    private static final Duration COPY_LIMIT = Duration.ofMinutes(20);

    private final ReplayBenchmark.Context context;
    private final int restores;
    private final double pgbenchChangesPerSecond;

    TimeTravelRuns(ReplayBenchmark.Context context, int restores, double pgbenchChangesPerSecond) {
        this.context = context;
        this.restores = restores;
        this.pgbenchChangesPerSecond = pgbenchChangesPerSecond;
    }

    Map<String, Object> run() throws Exception {
        ReplayService service = context.service();
        String checkpoints = context.sessionPath() + "/checkpoints";
        log("setting checkpoint bench-end, waiting for its kept copy");
        long started = System.nanoTime();
        JsonNode checkpoint = service.post(checkpoints, Map.of("name", "bench-end"));
        String id = checkpoint.path("id").asString();
        while (!checkpoint.path("captured").asBoolean() || !"READY".equals(checkpoint.path("copy").path("state").asString())) {
            if ("FAILED".equals(checkpoint.path("copy").path("state").asString())) {
                throw new IllegalStateException("the checkpoint's copy failed: " + checkpoint.path("copy").path("error").asString());
            }
            if (System.nanoTime() - started > COPY_LIMIT.toNanos()) {
                throw new IllegalStateException("the checkpoint's copy was not ready within " + COPY_LIMIT.toMinutes() + " min");
            }
            Thread.sleep(100);
            checkpoint = service.get(checkpoints + "/" + id);
        }
        double copySeconds = (System.nanoTime() - started) / 1e9;
        long entryIndex = checkpoint.path("entryIndex").asLong();
        String copy = checkpoint.path("copy").path("database").asString();
        log("checkpoint at entry %d, copy %s ready after %.1f s", entryIndex, copy, copySeconds);

        List<Double> ours = new ArrayList<>();
        List<Double> oursServer = new ArrayList<>();
        List<Double> creation = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        String startPoint = null;
        for (int i = 1; i <= restores; i++) {
            creation.add(restore(Map.of("checkpointId", "CREATION")));
            double[] timed = new double[2];
            JsonNode done = restoreTimed(Map.of("checkpointId", id), timed);
            ours.add(timed[0]);
            oursServer.add(timed[1]);
            startPoint = done.path("startPoint").asString();
            raw.add(rawRestore(copy));
            log("restore %d: to the checkpoint %.0f ms (server %.0f ms), to Creation %.0f ms, raw DROP + CREATE ... TEMPLATE %.0f ms", i,
                    timed[0], timed[1], creation.get(i - 1), raw.get(i - 1));
        }
        PgClients.execute(context.admin(), "DROP DATABASE IF EXISTS " + RAW_DB);

        Map<String, Object> json = new LinkedHashMap<>();
        Map<String, Object> template = new LinkedHashMap<>();
        template.put("restores", restores);
        template.put("checkpoint_entries", entryIndex);
        template.put("checkpoint_copy_ready_s", round(copySeconds));
        template.put("checkpoint_copy_note", "from POST .../checkpoints until copy.state READY: the base copy cloned and every entry since "
                + "Creation applied to it in the background");
        template.put("start_point", startPoint);
        template.put("ours_ms", samples(ours));
        template.put("ours_server_ms", samples(oursServer));
        template.put("to_creation_ms", samples(creation));
        template.put("raw_ms", samples(raw));
        template.put("ours", "POST /api/v1/sessions/{id}/restores?wait=true {checkpointId}, wall clock of the HTTP call (server_ms: the "
                + "restore's durationMs); each after a restore to Creation, so the target really moves");
        template.put("raw", "one JDBC session: DROP DATABASE IF EXISTS x; CREATE DATABASE x TEMPLATE <the checkpoint's copy> STRATEGY FILE_COPY");
        json.put("template_restore", template);
        double templateRatio = ratio(percentile(ours, 50), percentile(raw, 50));
        json.put("template_restore_time_ratio_ours_over_raw", templateRatio);
        json.put("template_restore_time_ratio_note", "p50 time of a restore to a checkpoint with a kept copy ÷ p50 of the raw "
                + "DROP + CREATE DATABASE TEMPLATE; smaller is better; target <= " + TARGET_TEMPLATE_RATIO);
        json.put("template_restore_meets_target", templateRatio <= TARGET_TEMPLATE_RATIO);

        json.put("apply_restore", applyRestore(entryIndex));
        return json;
    }

    /** A restore to a commit near the end of the workload, before the checkpoint: from the base copy, every entry applied. */
    private Map<String, Object> applyRestore(long checkpointEntries) throws Exception {
        long seq = Math.max(1, checkpointEntries - Math.max(1, checkpointEntries / 100));
        Lsn lsn;
        try (Connection meta = context.metadata().connect(); PreparedStatement st = meta.prepareStatement(
                "SELECT commit_lsn FROM replay.changes WHERE session_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1")) {
            st.setObject(1, context.session());
            st.setLong(2, seq);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                lsn = new Lsn(rs.getLong(1));
            }
        }
        log("restoring to commit %s (entry %d of %d), which has no kept copy", lsn, seq, checkpointEntries);
        double[] timed = new double[2];
        JsonNode done = restoreTimed(Map.of("lsn", lsn.toString()), timed);
        long applied = done.path("entriesApplied").asLong();
        double seconds = timed[1] / 1000;
        double rate = applied / seconds;
        log("restore to %s: %d entries applied from %s in %.1f s (%.0f/s)", lsn, applied, done.path("startPoint").asString(), seconds, rate);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("lsn", lsn.toString());
        json.put("to_entries", done.path("toEntries").asLong());
        json.put("start_point", done.path("startPoint").asString());
        json.put("entries_applied", applied);
        json.put("seconds", round(seconds));
        json.put("http_s", round(timed[0] / 1000));
        json.put("applied_changes_per_s", round(rate));
        json.put("pgbench_changes_per_s", round(pgbenchChangesPerSecond));
        json.put("apply_vs_pgbench_ratio", ratio(rate, pgbenchChangesPerSecond));
        json.put("note", "POST .../restores?wait=true {lsn}: the base copy cloned, then every entry up to that commit applied "
                + "(seconds: the restore's durationMs, clone included); ratio: applied changes/s ÷ the rate pgbench produced them at, "
                + "bigger is better");
        return json;
    }

    /** A restore that must succeed; returns its wall-clock milliseconds. */
    private double restore(Map<String, String> to) throws Exception {
        double[] timed = new double[2];
        restoreTimed(to, timed);
        return timed[0];
    }

    /** A restore that must succeed; {@code timed} gets its wall-clock and its server-side milliseconds. */
    private JsonNode restoreTimed(Map<String, String> to, double[] timed) throws Exception {
        long started = System.nanoTime();
        JsonNode done = context.service().post(context.sessionPath() + "/restores?wait=true", to);
        timed[0] = (System.nanoTime() - started) / 1e6;
        timed[1] = done.path("durationMs").asDouble();
        if (!"DONE".equals(done.path("state").asString())) {
            throw new IllegalStateException("restore to " + to + " ended " + done.path("state").asString() + ": " + done.path("error").asString());
        }
        return done;
    }

    /** DROP + CREATE DATABASE ... TEMPLATE in one session; milliseconds. */
    private double rawRestore(String template) throws SQLException {
        try (Connection c = context.admin().connect(); Statement st = c.createStatement()) {
            String strategy = c.getMetaData().getDatabaseMajorVersion() >= 15 ? " STRATEGY FILE_COPY" : "";
            long started = System.nanoTime();
            st.execute("DROP DATABASE IF EXISTS " + RAW_DB);
            st.execute("CREATE DATABASE " + RAW_DB + " TEMPLATE " + Identifiers.quote(template) + strategy);
            return (System.nanoTime() - started) / 1e6;
        }
    }

    private static Map<String, Object> samples(List<Double> millis) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("p50", round(percentile(millis, 50)));
        json.put("p95", round(percentile(millis, 95)));
        json.put("p99", round(percentile(millis, 99)));
        json.put("all", millis.stream().map(Reports::round).toList());
        return json;
    }
}
