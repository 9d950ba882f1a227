package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.options;
import static dev.pgcorral.bench.Reports.percentile;

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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * Switchovers under load, one a round, each from the same source into a fresh empty database on a second throwaway
 * server. The source is {@code pgbench -i -s <scale>} plus the application's table ({@link SwitchoverWriter}). A
 * round: a {@code clone_and_follow} migration through migration-service's API ({@link CdcService}) until it is
 * {@code streaming}; pgbench {@code -c <clients> -j 2 -T 600 -n} and the application's writer on the source; after
 * 5 s {@code POST .../switchover}, then {@code GET} every 20 ms until it completes (or fails). The writer moves to
 * the destination at the first poll that shows the switchover's result. Per round: the service's own
 * {@code switchover_downtime_ms}, and the writer's: from its last insert the source accepted to its first one the
 * destination accepted. Then the destination is checked against the source, which is read-only now (every row the
 * writer saw accepted is there; every table compares equal once the writer's rows on the destination are left out),
 * the source must have no slot or publication left, and it gets its writes back for the next round. Prints one
 * JSON object on the last line of stdout and exits 1 after it when a round failed or rows are missing.
 */
public final class SwitchoverBenchmark {

    static final String SOURCE_DB = CdcBenchmark.SOURCE_DB;
    static final double P95_TARGET_S = 2.0;
    /** How long pgbench and the writer run on the source before the switchover is asked for. */
    static final Duration LOAD_BEFORE = Duration.ofSeconds(5);
    static final Duration POLL = Duration.ofMillis(20);
    /** pgbench's -T: far longer than a round, since the switchover ends its sessions (or it is killed). */
    static final int PGBENCH_SECONDS = 600;
    /** The service's own limits (5 min to catch up, 30 s of stopped writes), with room. */
    static final Duration SWITCHOVER_LIMIT = Duration.ofMinutes(6);
    static final Duration WRITER_LIMIT = Duration.ofSeconds(30);
    static final Duration PGBENCH_END_LIMIT = Duration.ofSeconds(10);

    private final int rounds;
    private final int scale;
    private final int clients;
    private final List<SwitchoverRound> results = new ArrayList<>();
    private final CdcBenchmark.Setup setup;
    private volatile boolean failed;
    private volatile boolean stopping;
    private volatile SwitchoverWriter writer;

    private SwitchoverBenchmark(Map<String, String> args) {
        this.setup = new CdcBenchmark.Setup("bench-switchover");
        this.rounds = Reports.number(args, "rounds", 10, 1);
        this.scale = Reports.number(args, "scale", 10, 1);
        this.clients = Reports.number(args, "clients", 4, 1);
    }

    public static void main(String[] argv) throws Exception {
        SwitchoverBenchmark benchmark = new SwitchoverBenchmark(options(argv, "--rounds N --scale N --clients N"));
        Reports.runAndPrint(benchmark::run, benchmark::cleanUp, () -> benchmark.failed,
                "a round did not switch over or rows are missing (see \"per_round\" in the JSON)");
    }

    private Map<String, Object> run() throws Exception {
        setup.start(true, scale);
        CdcService service = setup.service();
        ConnectionDetails sourceDb = setup.sourceDb();
        SwitchoverWriter.create(sourceDb);
        service.awaitHealthy();
        CloneService.Cluster from = service.cluster("bench-source", sourceDb);

        Map<String, Object> result = setup.header("switchover");
        result.put("servers", "two local PostgreSQL servers on this machine (LocalPostgres: fsync off, wal_level logical, data on "
                + setup.dataFolder() + "): the source (" + SOURCE_DB + ", synchronous_commit on), kept for every round, and the"
                + " destination server (synchronous_commit off), where each round switches over into an empty database of its own, dest_<round>");
        result.put("data_set", "pgbench -i -s " + scale + " as pgbench makes it, and " + SwitchoverWriter.TABLE
                + "(id bigserial primary key, at timestamptz default clock_timestamp()); the rounds' load adds to it");
        result.put("rounds", rounds);
        result.put("scale", scale);
        result.put("clients", clients);
        result.put("pgbench_jobs", jobs());
        result.put("load_before_switchover_s", LOAD_BEFORE.toSeconds());
        result.put("measured", "per round: a clone_and_follow migration into dest_<round> until it streams; pgbench -c " + clients
                + " -j " + jobs() + " -T " + PGBENCH_SECONDS + " -n on the source, and an application writer (this JVM) inserting one row per"
                + " transaction into " + SwitchoverWriter.TABLE + " every " + SwitchoverWriter.INTERVAL.toMillis() + " ms; after "
                + LOAD_BEFORE.toSeconds() + " s POST .../switchover, then GET .../{id} every " + POLL.toMillis() + " ms."
                + " service_downtime_ms: the service's own switchover_downtime_ms (from stopping writes on the source to the sequences"
                + " set on the destination). app_downtime_ms: from the writer's last insert whose commit the source acknowledged to its"
                + " first one the destination acknowledged; refused inserts are retried on a new session every "
                + SwitchoverWriter.INTERVAL.toMillis() + " ms, and the writer moves to the destination at the first GET that shows"
                + " switchover_lsn (so it includes up to one poll interval, an HTTP call, a new session and one insert)."
                + " Percentiles over the rounds that switched over (linear interpolation between the closest ranks). tps: pgbench's,"
                + " from its start until the switchover ended its sessions. lag_bytes_before_call: the service's live_lag_bytes just"
                + " before the call (the switchover stops writes once it is within max-lag, 1 MB by default, then waits for the destination)");
        for (int n = 1; n <= rounds; n++) {
            SwitchoverRound round = new SwitchoverRound(n);
            results.add(round);
            round(round, from, setup.targetAdmin(), sourceDb);
            if (stopping) {
                throw new IllegalStateException("stopped during round " + n); // the shutdown hook cleaned up: no JSON
            }
        }

        List<SwitchoverRound.Downtimes> switched = results.stream().map(SwitchoverRound::downtimes).filter(Objects::nonNull).toList();
        List<Double> serviceMillis = switched.stream().map(SwitchoverRound.Downtimes::serviceMillis).filter(Double::isFinite).toList();
        List<Double> appMillis = switched.stream().map(SwitchoverRound.Downtimes::appMillis).filter(Double::isFinite).toList();
        List<Double> tps = results.stream().map(SwitchoverRound::tps).filter(Double::isFinite).toList();
        result.put("tps_median", Reports.round(Reports.median(tps)));
        result.put("per_round", results.stream().map(SwitchoverRound::json).toList());
        result.put("switchovers", switched.size());
        long failures = results.stream().filter(SwitchoverRound::failed).count();
        result.put("failures", failures);
        result.put("service_downtime_ms", summary(serviceMillis));
        result.put("app_downtime_ms", summary(appMillis));
        double serviceP95 = percentile(serviceMillis, 95) / 1000;
        double appP95 = percentile(appMillis, 95) / 1000;
        result.put("p95_target_s", P95_TARGET_S);
        result.put("service_p95_s", CdcWay.thousandths(serviceP95));
        result.put("app_p95_s", CdcWay.thousandths(appP95));
        result.put("target_met", switched.isEmpty() ? null : failures == 0 && serviceP95 <= P95_TARGET_S && appP95 <= P95_TARGET_S);
        result.put("target_met_means", "no round failed, and both the service's and the application's p95 are at most " + P95_TARGET_S + " s");
        long checked = results.stream().filter(SwitchoverRound::checked).count();
        boolean allArrived = checked > 0 && results.stream().filter(SwitchoverRound::checked).allMatch(SwitchoverRound::rowsArrived);
        result.put("rounds_checked", checked);
        result.put("all_rows_arrived", allArrived);
        failed = failures > 0 || switched.size() < rounds || !allArrived;
        return result;
    }

    /**
     * One round: its destination database and migration, the switchover under load, the check, and the source made
     * ready for the next round. A failure is recorded on the round and the next one goes on.
     */
    private void round(SwitchoverRound round, CloneService.Cluster from, ConnectionDetails targetAdmin, ConnectionDetails sourceDb)
            throws InterruptedException {
        String id = "bench-switchover-" + round.number();
        ConnectionDetails destination = targetAdmin.withDatabase("dest_" + round.number());
        boolean completed = false;
        try {
            PgClients.execute(targetAdmin, "CREATE DATABASE " + destination.database());
            CloneService.Cluster to = setup.service().cluster("bench-" + destination.database(), destination);
            log("round %d: clone_and_follow into %s", round.number(), destination.database());
            round.note("initial_sync_s", Reports.round(setup.service().follow(id, from, to)));
            SwitchoverWriter app = new SwitchoverWriter(sourceDb);
            writer = app;
            completed = switchOverUnderLoad(round, id, destination, app);
            if (completed) {
                check(round, sourceDb, destination, app);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log("round %d: FAILED: %s", round.number(), e);
            round.fail(e.toString());
        }
        makeReady(round, id, sourceDb, completed);
        try {
            PgClients.execute(targetAdmin, "DROP DATABASE IF EXISTS " + destination.database() + " WITH (FORCE)");
        } catch (SQLException e) {
            log("round %d: dropping %s: %s", round.number(), destination.database(), e.getMessage());
        }
    }

    /** pgbench and the writer {@code app} on the source, then the switchover; returns whether it completed. */
    private boolean switchOverUnderLoad(SwitchoverRound round, String id, ConnectionDetails destination, SwitchoverWriter app)
            throws Exception {
        FutureTask<PgClients.Pgbench> load = new FutureTask<>(() -> setup.programs().pgbenchToItsEnd(List.of("-c", Integer.toString(clients),
                "-j", Integer.toString(jobs()), "-T", Integer.toString(PGBENCH_SECONDS), "-n")));
        Thread pgbench = new Thread(load, "bench-switchover-pgbench");
        pgbench.setDaemon(true);
        pgbench.start();
        app.start();
        try {
            Thread.sleep(LOAD_BEFORE.toMillis());
            return switchOver(round, id, destination, app);
        } finally {
            app.stop();
            round.note("app", app.json());
            PgClients.Pgbench ended = endLoad(load);
            round.note("pgbench_exit_status", ended == null ? null : ended.status());
            round.tps(ended == null ? Double.NaN : PgClients.tps(ended.output()));
        }
    }

    /**
     * {@code POST .../switchover}, then {@code GET} every 20 ms: the writer moves to the destination at the first
     * that shows the switchover's result, and the poll goes on until the status reads {@code completed}. A
     * {@code switchover_failed} event or a failed migration fails the round. Returns whether it completed.
     */
    private boolean switchOver(SwitchoverRound round, String id, ConnectionDetails destination, SwitchoverWriter app) throws Exception {
        round.note("lag_bytes_before_call", setup.service().state(id).path("live_lag_bytes").asLong());
        log("round %d: POST /api/v1/migrations/%s/switchover under load", round.number(), id);
        long asked = System.nanoTime();
        setup.service().switchover(id);
        long done = 0;
        double serviceMillis = Double.NaN;
        while (true) {
            JsonNode state = setup.service().state(id);
            long now = System.nanoTime();
            String status = state.path("status").asString();
            if (done == 0 && (!state.path("switchover_lsn").asString().isEmpty() || status.equals("completed"))) {
                app.switchTo(destination);
                done = now;
                serviceMillis = state.path("switchover_downtime_ms").isNumber() ? state.path("switchover_downtime_ms").asDouble() : Double.NaN;
                round.note("switchover_lsn", state.path("switchover_lsn").asString());
                round.note("result_after_call_ms", Math.round((now - asked) / 1e6));
            }
            if (status.equals("completed")) {
                round.note("completed_after_result_ms", Math.round((now - done) / 1e6));
                break;
            }
            String failure = failure(state);
            if (failure != null) {
                log("round %d: FAILED: %s; %s's log ends with:%n%s", round.number(), failure, CdcService.NAME, setup.service().logTail());
                round.fail(failure);
                return false;
            }
            if (now - asked > SWITCHOVER_LIMIT.toNanos()) {
                round.fail("the switchover did not complete within " + SWITCHOVER_LIMIT.toMinutes() + " min; last: " + state);
                log("round %d: FAILED: no switchover within %d min; %s's log ends with:%n%s", round.number(), SWITCHOVER_LIMIT.toMinutes(),
                        CdcService.NAME, setup.service().logTail());
                return false;
            }
            Thread.sleep(POLL.toMillis());
        }
        if (!app.awaitDestination(WRITER_LIMIT)) {
            round.fail("the destination accepted none of the writer's inserts within " + WRITER_LIMIT.toSeconds() + " s after the switchover: "
                    + app.json().get("last_destination_refusal"));
        }
        round.switchedOver(new SwitchoverRound.Downtimes(serviceMillis, app.downtimeMillis()));
        log("round %d: switched over; writes stopped %.0f ms by the service's measure, %.0f ms as the application saw it",
                round.number(), serviceMillis, app.downtimeMillis());
        return true;
    }

    /** Why the switchover failed, from a {@code switchover_failed} event or a migration that ended otherwise; null when it did not. */
    private static String failure(JsonNode state) {
        for (JsonNode event : state.path("live_events")) {
            if (event.path("type").asString().equals("switchover_failed")) {
                return event.path("message").asString();
            }
        }
        String status = state.path("status").asString();
        return status.equals("failed") || status.equals("stopped")
                ? "migration " + status + " in phase " + state.path("phase").asString() + ": " + state.path("error_message").asString()
                : null;
    }

    /** Waits for pgbench (the switchover ended its sessions), killing it when it still runs; null when it gave nothing. */
    private PgClients.Pgbench endLoad(FutureTask<PgClients.Pgbench> load) throws InterruptedException {
        try {
            try {
                return load.get(PGBENCH_END_LIMIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                log("pgbench still runs: killing it");
                setup.programs().destroy();
                return load.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            log("pgbench: %s", e.getMessage());
            return null;
        }
    }

    /**
     * The destination against the source, which is read-only now: every row the writer saw the source accept is
     * there, and once the writer's rows on the destination (ids past the source's largest) are deleted there, every
     * table compares equal ({@link CloneCompare}; the sequence of {@code bench_app} differs by the writer's rows).
     */
    private static void check(SwitchoverRound round, ConnectionDetails sourceDb, ConnectionDetails destination, SwitchoverWriter app)
            throws SQLException {
        List<Long> accepted = app.sourceIds();
        List<String> differences = new ArrayList<>();
        long sourceMax = Long.parseLong(PgClients.query(sourceDb, "SELECT coalesce(max(id), 0) FROM " + SwitchoverWriter.TABLE));
        try (Connection c = destination.connect()) {
            try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM unnest(?::bigint[]) a(id)"
                    + " WHERE NOT EXISTS (SELECT 1 FROM " + SwitchoverWriter.TABLE + " b WHERE b.id = a.id)")) {
                st.setArray(1, c.createArrayOf("bigint", accepted.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        differences.add(rs.getLong(1) + " of the " + accepted.size() + " rows the source accepted from the writer are missing");
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                int written = st.executeUpdate("DELETE FROM " + SwitchoverWriter.TABLE + " WHERE id > " + sourceMax);
                round.note("app_rows_destination_deleted_for_check", written);
                if (written != app.onDestination()) {
                    differences.add(written + " rows past the source's largest id on the destination, but the writer inserted "
                            + app.onDestination() + " there");
                }
            }
        }
        log("round %d: comparing %s with the source", round.number(), destination.database());
        CloneCompare.Reading original = CloneCompare.read(sourceDb);
        CloneCompare.differences(original, CloneCompare.read(destination, original)).stream()
                .filter(d -> !d.startsWith("sequence public." + SwitchoverWriter.TABLE + "_id_seq:"))
                .forEach(differences::add);
        round.checked(differences);
        log("round %d: %s", round.number(), differences.isEmpty() ? "every row arrived" : "rows differ:\n  " + String.join("\n  ", differences));
    }

    /**
     * Deletes the migration (a switchover that failed leaves it following) and gives the source its writes back;
     * its slot and publication must be gone: after the switchover itself, or else after the delete.
     */
    private void makeReady(SwitchoverRound round, String id, ConnectionDetails sourceDb, boolean completed) throws InterruptedException {
        try {
            if (!completed) {
                setup.service().delete(id);
            }
            String left = CdcBenchmark.leftOnSource(sourceDb);
            round.note("left_on_source", left == null ? "nothing" : left);
            if (left != null) {
                round.fail("the source still has " + left + (completed ? " after the switchover" : " after the migration was deleted"));
            }
            if (completed) {
                setup.service().delete(id);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log("round %d: deleting migration %s: %s", round.number(), id, e.getMessage());
            round.fail("deleting the migration: " + e.getMessage());
        }
        try (Connection c = sourceDb.connectReadWrite(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + SOURCE_DB + " RESET default_transaction_read_only");
        } catch (SQLException e) {
            round.fail("giving the source its writes back: " + e.getMessage());
        }
    }

    /** p50, p95 and max, whole milliseconds. */
    private static Map<String, Object> summary(List<Double> millis) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("p50", millis.isEmpty() ? null : Math.round(percentile(millis, 50)));
        json.put("p95", millis.isEmpty() ? null : Math.round(percentile(millis, 95)));
        json.put("max", millis.isEmpty() ? null : Math.round(percentile(millis, 100)));
        return json;
    }

    private int jobs() {
        return Math.min(2, clients);
    }

    /** Called once, at the end or from the shutdown hook: the writer, pgbench, the child JVM, the servers, temp files. */
    private void cleanUp() {
        stopping = true;
        Optional.ofNullable(writer).ifPresent(SwitchoverWriter::stop);
        setup.stop();
        log("cleaned up");
    }
}
