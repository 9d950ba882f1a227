package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * The drain of a backlog: both ways are paused (migration-service: {@code stop?keep_slot=true}; native: {@code ALTER
 * SUBSCRIPTION … DISABLE}), pgbench runs while their slots keep its changes, a heartbeat goes in after it, and then each
 * way in turn is resumed ({@code start}; {@code ENABLE}) and timed from there until the heartbeat shows on its
 * destination, while the other, still paused or done already, uses no CPU. Where the catch-up after a load (the
 * {@code catch_up_s} of {@link CdcBenchmark}) times mostly one transaction's way through, this times the applying
 * of many, a worker's start included.
 */
final class CdcDrain {

    static final Duration LIMIT = Duration.ofMinutes(10);

    private CdcDrain() {
    }

    /**
     * Runs the drain over the ways that did not fail; a way that fails here is recorded on it. Returns the JSON:
     * the load, the backlog, each way's seconds and, with both, their ratio; or what failed.
     */
    static Map<String, Object> measure(List<CdcWay> ways, CdcService service, ConnectionDetails sourceDb, CdcHeartbeat heartbeat,
                                       PgClients programs, List<String> pgbench) throws InterruptedException {
        try {
            Map<String, Object> json = run(ways, service, sourceDb, heartbeat, programs, pgbench);
            CdcWay ours = ways.stream().filter(way -> way.name().equals("ours") && !way.failed()).findFirst().orElse(null);
            if (ours != null) {
                Optional.ofNullable(service.problem(CdcBenchmark.MIGRATION)).ifPresent(ours::fail);
            }
            return json;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            log("drain: FAILED: %s", e);
            ways.stream().filter(way -> !way.failed()).forEach(way -> way.fail("in the drain: " + e));
            return Map.of("failed", e.toString());
        }
    }

    private static Map<String, Object> run(List<CdcWay> ways, CdcService service, ConnectionDetails sourceDb, CdcHeartbeat heartbeat,
                                   PgClients programs, List<String> pgbench) throws Exception {
        List<CdcWay> running = ways.stream().filter(way -> !way.failed()).toList();
        for (CdcWay way : running) {
            log("drain: pausing %s", way.name());
            if (way.name().equals("native")) {
                CdcNative.pause(way.destination());
            } else {
                service.pause(CdcBenchmark.MIGRATION);
            }
        }
        Lsn from = Lsn.parse(PgClients.query(sourceDb, "SELECT pg_current_wal_lsn()::text"));
        log("drain: pgbench %s while both are paused", String.join(" ", pgbench));
        double tps = PgClients.tps(programs.pgbench(pgbench));
        long last = heartbeat.beat();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("load", "pgbench " + String.join(" ", pgbench) + " while both ways were paused, then a heartbeat");
        json.put("tps", tps);
        json.put("backlog_bytes", Lsn.parse(PgClients.query(sourceDb, "SELECT pg_current_wal_lsn()::text")).bytesSince(from));
        json.put("measured", "each way alone, in this order, from its resume (POST .../start; ALTER SUBSCRIPTION ... ENABLE) to the poll"
                + " (every " + CdcHeartbeat.POLL.toMillis() + " ms) that sees the heartbeat on its destination");
        json.put("order", running.stream().map(CdcWay::name).toList());
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (CdcWay way : running) {
            long resumed = System.nanoTime();
            if (way.name().equals("native")) {
                CdcNative.resume(way.destination());
            } else {
                service.resume(CdcBenchmark.MIGRATION);
            }
            heartbeat.awaitVisible(last, List.of(way), resumed, LIMIT, (w, s) -> seconds.put(w.name(), s));
            if (seconds.containsKey(way.name())) {
                log("drain: %s applied the backlog in %.3f s", way.name(), seconds.get(way.name()));
            }
        }
        seconds.forEach((name, s) -> json.put(name + "_s", CdcWay.thousandths(s)));
        if (seconds.containsKey("ours") && seconds.containsKey("native")) {
            json.put("ratio_ours_over_native", Reports.ratio(seconds.get("ours"), seconds.get("native")));
        }
        return json;
    }
}
