package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.median;
import static dev.pgcorral.bench.Reports.ratio;
import static dev.pgcorral.bench.Reports.round;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.Lsn;

/**
 * replay-service's capture against {@code pg_recvlogical} over the same WAL. Each round: replay-service's
 * capture paused, a pg_recvlogical slot created at that point, a pgbench run on the source and a
 * transactional logical message after it (the end), so the same WAL waits for both slots; then one drain
 * each, in alternating order: pg_recvlogical up to the message, written to a file and counted; replay-service's
 * capture resumed and timed from the first poll of {@code replay.sessions} that sees its entries grow until
 * its stored commit position passes the message (the resumption and the first stored batch excluded).
 * Paused either by refusing the logins of the role it reads the source as and ending its replication
 * connection (the JVM keeps running, its JIT stays warm; capture retries with back-off until the role may
 * log in again), or, with {@code restart}, by stopping replay-service (SIGTERM) and starting a new JVM.
 */
final class CaptureRounds {

    static final double TARGET_RATIO = 0.8;
    private static final long POLL_MILLIS = 20;
    private static final int WARMUP_CATCH_UPS = 1;
    static final Duration CAPTURE_LIMIT = Duration.ofMinutes(20);

    /** @param pgbenchChangesPerSecond the median rate at which pgbench produced the changes */
    record Result(Map<String, Object> json, double pgbenchChangesPerSecond) {
    }

    /** One timed capture by replay-service. */
    private record Ours(double resumeSeconds, double seconds, long measuredEntries, long entries, double jvmCpuSeconds,
                        double serverCpuSeconds) {
        double changesPerSecond() {
            return measuredEntries / seconds;
        }
    }

    private final ReplayBenchmark.Context context;
    private final Workload workload;
    private final int durationSeconds;
    private final boolean restart;

    CaptureRounds(ReplayBenchmark.Context context, Workload workload, boolean restart) {
        this.context = context;
        this.workload = workload;
        this.durationSeconds = workload.durationSeconds();
        this.restart = restart;
    }

    Result run() throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        if (workload.warmupSeconds() > 0) {
            json.put("warmup", warmup());
        }
        List<Map<String, Object>> perRound = new ArrayList<>();
        List<Double> oursRates = new ArrayList<>();
        List<Double> baselineRates = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> produced = new ArrayList<>();
        boolean sameChanges = true;
        for (int round = 1; round <= workload.rounds(); round++) {
            Map<String, Object> r = runRound(round);
            perRound.add(r);
            double ours = (Double) r.get("ours_changes_per_s");
            double baseline = (Double) r.get("pg_recvlogical_changes_per_s");
            oursRates.add(ours);
            baselineRates.add(baseline);
            ratios.add(ours / baseline);
            produced.add((Double) r.get("pgbench_changes_per_s"));
            sameChanges &= r.get("entries_stored").equals(r.get("pg_recvlogical_changes"));
        }
        if (!context.service().running()) {
            context.service().start();
        }
        context.service().awaitHealthy();

        double pgbenchRate = median(produced);
        Map<String, Object> capture = new LinkedHashMap<>();
        capture.put("changes_per_round", perRound.get(0).get("entries_stored"));
        capture.put("ours_changes_per_s", round(median(oursRates)));
        capture.put("pg_recvlogical_changes_per_s", round(median(baselineRates)));
        capture.put("pgbench_changes_per_s", round(pgbenchRate));
        capture.put("pgbench_changes_note", "the rate pgbench produced the changes at: a round's entries ÷ its -T seconds");
        capture.put("same_changes_both_ways", sameChanges);
        capture.put("ours", (restart
                ? "replay-service stopped (SIGTERM) before the workload and started after it, catching up as after a restart; its JIT "
                + "starts cold in every round (a new JVM); "
                : "capture paused during the workload (logins of its source role refused, its replication connection ended; the JVM "
                + "keeps running, JIT warm) and resumed after it, catching up; ")
                + "timed from the first poll (every " + POLL_MILLIS + " ms) of replay.sessions that sees entries grow until "
                + "stored_lsn passes the end message; the resumption (" + (restart ? "JVM start-up" : "its retry back-off")
                + ", ours_resume_s) and the first stored batch are excluded from the time and from the entries counted; every change "
                + "decoded, turned into JSON and COPYed into replay.changes on the same server");
        capture.put("pg_recvlogical", "pg_recvlogical --start -o proto_version=1 -o publication_names=<the session's publication> "
                + "-o messages=true -E <end message LSN> -f <file> --no-loop; its slot created when capture was paused; the file "
                + "parsed afterwards to count its transactions and changes");
        capture.put("order", "alternating: pg_recvlogical first in odd rounds, replay-service first in even rounds");
        capture.put("cpu", "per round, *_jvm_cpu_s: replay-service's JVM (all threads) and *_server_cpu_s: the PostgreSQL server (all its "
                + "processes: the WAL sender decoding, for ours also the backend storing the entries) during each side's timed drain");
        capture.put("per_round", perRound);
        json.put("capture", capture);
        double ratio = round(median(ratios));
        json.put("capture_ratio", ratio);
        json.put("capture_ratio_note", "replay-service ÷ pg_recvlogical in changes/s over the same WAL, median of the rounds' ratios;"
                + " bigger is better; target " + TARGET_RATIO);
        json.put("capture_meets_target", ratio >= TARGET_RATIO);
        return new Result(json, pgbenchRate);
    }

    /** One round: the workload while capture is paused, then both drains of it in this round's order; its figures. */
    private Map<String, Object> runRound(int round) throws Exception {
        pause("round " + round);
        ReplicationSlots slots = new ReplicationSlots(context.source());
        String slot = "bench_recvlogical_" + round;
        Lsn start = slots.create(slot);
        long before = context.entries();
        log("round %d: slot %s at %s; pgbench -c %d -T %d while capture is paused", round, slot, start, workload.clients(), durationSeconds);
        double tps = PgClients.tps(context.programs().pgbench(workload.pgbench(durationSeconds)));
        Lsn end = context.mark("round " + round);
        Lsn walEnd = Lsn.parse(PgClients.query(context.source(), "SELECT pg_current_wal_insert_lsn()::text"));
        boolean oursFirst = round % 2 == 0;
        Ours ours = null;
        double baselineSeconds = 0;
        double baselineServerCpu = 0;
        PgoutputFile received = null;
        for (int turn = 0; turn < 2; turn++) {
            if ((turn == 0) == oursFirst) {
                log("round %d: resuming capture, timing it up to %s", round, end);
                ours = timeCapture(before, end);
                log("round %d: replay-service stored %d entries; %d of them in %.2f s after its first batch (%.0f/s, JVM CPU %.2f s,"
                        + " server CPU %.2f s), first batch %.1f s after resuming", round, ours.entries, ours.measuredEntries, ours.seconds,
                        ours.changesPerSecond(), ours.jvmCpuSeconds, ours.serverCpuSeconds, ours.resumeSeconds);
                if (oursFirst && restart) {
                    context.service().stop();
                }
            } else {
                Path file = context.work().resolve("pg_recvlogical-" + round + ".bin");
                log("round %d: pg_recvlogical on %s up to %s", round, slot, end);
                double cpu = context.serverCpu().seconds();
                baselineSeconds = context.programs().recvlogical(slot, context.publication(), end, file);
                Thread.sleep(200); // its WAL sender exits and is counted with the server's exited processes
                baselineServerCpu = context.serverCpu().seconds() - cpu;
                received = PgoutputFile.read(file);
                Files.delete(file);
                slots.drop(slot);
                log("round %d: pg_recvlogical %.2f s (server CPU %.2f s), %d transactions, %d changes (%.0f/s)", round, baselineSeconds,
                        baselineServerCpu, received.transactions(), received.changes(), received.changes() / baselineSeconds);
            }
        }
        if (received.changes() != ours.entries) {
            log("round %d: WARNING pg_recvlogical received %d changes, replay-service stored %d entries", round, received.changes(),
                    ours.entries);
        }
        double baselineRate = received.changes() / baselineSeconds;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("round", round);
        r.put("first", oursFirst ? "replay-service" : "pg_recvlogical");
        r.put("start_lsn", start.toString());
        r.put("end_lsn", end.toString());
        r.put("wal_mb", round(walEnd.bytesSince(start) / 1048576.0));
        r.put("pgbench_tps", tps);
        r.put("pgbench_changes_per_s", round(ours.entries / (double) durationSeconds));
        r.put("entries_stored", ours.entries);
        r.put("pg_recvlogical_changes", received.changes());
        r.put("pg_recvlogical_transactions", received.transactions());
        r.put("ours_s", round(ours.seconds));
        r.put("ours_measured_entries", ours.measuredEntries);
        r.put("ours_changes_per_s", round(ours.changesPerSecond()));
        r.put("ours_jvm_cpu_s", round(ours.jvmCpuSeconds));
        r.put("ours_server_cpu_s", round(ours.serverCpuSeconds));
        r.put("ours_resume_s", round(ours.resumeSeconds));
        r.put("pg_recvlogical_s", round(baselineSeconds));
        r.put("pg_recvlogical_changes_per_s", round(baselineRate));
        r.put("pg_recvlogical_server_cpu_s", round(baselineServerCpu));
        r.put("capture_ratio", ratio(ours.changesPerSecond(), baselineRate));
        return r;
    }

    /**
     * pgbench captured live, then (the JVM kept) catch-ups like a round's, untimed, so the JIT has compiled the
     * capture path and the server's caches and the change log's pages are warm before the rounds.
     */
    private Map<String, Object> warmup() throws Exception {
        int seconds = workload.warmupSeconds();
        log("warm-up: pgbench -c %d -T %d captured live by replay-service", workload.clients(), seconds);
        long before = context.entries();
        context.programs().pgbench(workload.pgbench(seconds));
        long ended = System.nanoTime();
        long stored = context.awaitStored(context.mark("warm-up"), ended);
        double lag = (System.nanoTime() - ended) / 1e9;
        log("warm-up: %d entries stored, the last %.2f s after pgbench ended", stored - before, lag);
        Map<String, Object> warmup = new LinkedHashMap<>();
        warmup.put("live_entries", stored - before);
        warmup.put("live_stored_after_pgbench_s", round(lag));
        int catchUps = restart ? 0 : WARMUP_CATCH_UPS;
        List<Long> caughtUp = new ArrayList<>();
        for (int i = 1; i <= catchUps; i++) {
            pause("warm-up " + i);
            before = context.entries();
            context.programs().pgbench(workload.pgbench(seconds));
            Lsn end = context.mark("warm-up " + i);
            resume();
            caughtUp.add(context.awaitStored(end, System.nanoTime()) - before);
            log("warm-up %d: caught up with %d entries", i, caughtUp.get(i - 1));
        }
        warmup.put("catch_up_entries", caughtUp);
        warmup.put("note", seconds + " s of pgbench captured live (replay-service running)" + (catchUps == 0 ? "" : ", then "
                + catchUps + " untimed catch-up(s) of " + seconds + " s of pgbench, paused and resumed like a round") + "; before the rounds");
        return warmup;
    }

    /** Pauses replay-service's capture: it is stopped, or its source role may not log in and its replication connection is ended. */
    private void pause(String label) throws Exception {
        if (restart) {
            if (context.service().running()) {
                log("%s: stopping replay-service (SIGTERM)", label);
                context.service().stop();
            }
            return;
        }
        log("%s: pausing capture (%s may not log in, its replication connection ended)", label, ReplayBenchmark.CAPTURE_ROLE);
        PgClients.execute(context.admin(), "ALTER ROLE " + ReplayBenchmark.CAPTURE_ROLE + " NOLOGIN");
        ReplicationSlots slots = new ReplicationSlots(context.source());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (slots.find(context.slot()).orElseThrow().active()) {
            PgClients.query(context.source(), "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                    + context.slot() + "' AND active");
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replay-service's slot " + context.slot() + " stayed active for 30 s after its connection was ended");
            }
            Thread.sleep(200);
        }
    }

    /** Resumes capture: starts replay-service again, or lets its source role log in again. */
    private void resume() throws Exception {
        if (restart) {
            context.service().start();
        } else {
            PgClients.execute(context.admin(), "ALTER ROLE " + ReplayBenchmark.CAPTURE_ROLE + " LOGIN");
        }
    }

    /** Resumes capture and times it for the entries after {@code before} up to the message at {@code end}. */
    private Ours timeCapture(long before, Lsn end) throws Exception {
        ReplayService service = context.service();
        try (Connection meta = context.metadata().connect()) {
            long launched = System.nanoTime();
            resume();
            long firstNanos = 0;
            long firstEntries = -1;
            double firstCpu = 0;
            double firstServerCpu = 0;
            while (true) {
                long[] stored = context.stored(meta);
                long now = System.nanoTime();
                if (firstEntries < 0 && stored[0] > before) {
                    firstNanos = now;
                    firstEntries = stored[0];
                    firstCpu = service.cpuSeconds();
                    firstServerCpu = context.serverCpu().seconds();
                }
                if (stored[1] >= end.value()) {
                    if (firstNanos == now) {
                        throw new IllegalStateException("replay-service stored the whole round in one batch: nothing to time; run longer");
                    }
                    return new Ours((firstNanos - launched) / 1e9, (now - firstNanos) / 1e9, stored[0] - firstEntries, stored[0] - before,
                            service.cpuSeconds() - firstCpu, context.serverCpu().seconds() - firstServerCpu);
                }
                service.checkAlive();
                if (now - launched > CAPTURE_LIMIT.toNanos()) {
                    throw new IllegalStateException("replay-service did not capture the round within " + CAPTURE_LIMIT.toMinutes() + " min");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }
}
