package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.options;
import static dev.pgcorral.bench.Reports.ratio;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * Follows one source two ways at once, each into an empty database of its own on a second throwaway server:
 * migration-service ({@link CdcService}, a {@code clone_and_follow} migration through its API) and a native
 * subscription ({@link CdcNative}). The source is {@code pgbench -i -s <scale>} plus the heartbeat table
 * ({@link CdcHeartbeat}). Once both follow, an unmeasured warm-up load runs; then pgbench {@code -c <clients> -j 2
 * -T <seconds>} while heartbeats go in and both ways' lag is sampled every 100 ms. When pgbench ends a last heartbeat
 * goes in, and each way's catch-up time is from pgbench's end to the poll (every 1 ms) that sees it on its
 * destination. A single catch-up lasts milliseconds and varies as much from one run to the next, so
 * {@code --catch-up-rounds} short loads follow ({@value #CATCH_UP_ROUND_SECONDS} s of the same pgbench each, lag not
 * sampled), each timed the same way, and a way's catch-up is the median of all; each round's two catch-ups are also
 * compared with each other (which way was faster, at the poll's resolution, and each way's mean). Then the drain of a
 * backlog built while both ways were paused, each way resumed alone ({@link CdcDrain}, {@code --drain-seconds} of
 * pgbench). Each destination is then compared with the source ({@link CloneCompare}), and both ways are
 * stopped; migration-service must leave no slot or publication on the source. Prints one JSON object on the last
 * line of stdout and exits 1 after it when a way failed or its copy differs.
 */
public final class CdcBenchmark {

    static final String SOURCE_DB = "bench_source";
    static final String MIGRATION = "bench-cdc";
    static final List<String> WAYS = List.of("ours", "native");
    static final double P99_LAG_TARGET_S = 1.0;
    static final double CATCH_UP_TARGET = 1.0;
    static final Duration CATCH_UP_LIMIT = Duration.ofMinutes(10);
    static final int CATCH_UP_ROUND_SECONDS = 3;
    /**
     * The source commits as a production server would (synchronous_commit on, the default; fsync stays off on tmpfs), and
     * records commit times, which {@link CdcApplyLatency} measures from.
     */
    static final Map<String, String> SOURCE_SETTINGS = Map.of("synchronous_commit", "on", "track_commit_timestamp", "on");

    private final int clients;
    private final int seconds;
    private final int scale;
    private final int warmup;
    private final int catchUpRounds;
    private final int drainSeconds;
    private final List<String> ways;
    private final Map<String, CdcWay> results = new LinkedHashMap<>();
    private volatile boolean failed;
    private final Setup setup;
    private volatile CdcHeartbeat heartbeat;

    private CdcBenchmark(Map<String, String> args) {
        this.clients = Reports.number(args, "clients", 4, 1);
        this.seconds = Reports.number(args, "seconds", 60, 1);
        this.scale = Reports.number(args, "scale", 10, 1);
        this.warmup = Reports.number(args, "warmup", 5, 0);
        this.catchUpRounds = Reports.number(args, "catch-up-rounds", 30, 0);
        this.drainSeconds = Reports.number(args, "drain-seconds", 20, 0);
        this.ways = Reports.ways(args, WAYS);
        this.setup = new Setup("bench-cdc");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = options(argv, "--clients N --seconds S --scale N --warmup S --catch-up-rounds N --drain-seconds S --ways ours,native");
        CdcBenchmark benchmark = new CdcBenchmark(args);
        Reports.runAndPrint(benchmark::run, benchmark::cleanUp, () -> benchmark.failed,
                "a way failed or its copy does not compare equal (see \"ways\" in the JSON)");
    }

    private Map<String, Object> run() throws Exception {
        setup.start(ways.contains("ours"), scale);
        ConnectionDetails targetAdmin = setup.targetAdmin();
        ConnectionDetails sourceDb = setup.sourceDb();
        CdcHeartbeat.create(sourceDb);
        for (String way : ways) {
            ConnectionDetails destination = targetAdmin.withDatabase("dest_" + way);
            PgClients.execute(targetAdmin, "CREATE DATABASE " + destination.database());
            results.put(way, new CdcWay(way, destination));
        }
        List<CdcWay> all = List.copyOf(results.values());
        all.forEach(way -> follow(way, setup.binaries(), sourceDb));
        heartbeat = new CdcHeartbeat(sourceDb);

        Map<String, Object> result = setup.header("cdc");
        result.put("servers", "two local PostgreSQL servers on this machine (LocalPostgres: fsync off, wal_level logical, data on "
                + setup.dataFolder() + "): the source (" + SOURCE_DB + ", synchronous_commit on, track_commit_timestamp on) and the destination server"
                + " (synchronous_commit off), where each way follows into an empty database of its own, dest_<way>");
        result.put("data_set", "pgbench -i -s " + scale + " as pgbench makes it (pgbench_history has no key: it only gets INSERTs),"
                + " and bench_heartbeat(id bigint primary key, at timestamptz, lsn pg_lsn)");
        result.put("clients", clients);
        result.put("pgbench_jobs", jobs());
        result.put("duration_s", seconds);
        result.put("scale", scale);
        result.put("warmup_s", warmup);
        result.put("catch_up_rounds", catchUpRounds);
        result.put("measured", "both ways follow the same pgbench run at once; every " + CdcHeartbeat.INTERVAL.toMillis()
                + " ms a heartbeat row (id, now(), pg_current_wal_lsn()) is inserted on the source and each destination's newest one"
                + " is read: lag_seconds = source clock_timestamp() - its at, lag_bytes = source pg_current_wal_lsn() - its lsn"
                + " (clamped at 0), sampled only while pgbench runs, half an interval after each heartbeat (so a destination"
                + " fully caught up reads about " + CdcHeartbeat.INTERVAL.toMillis() / 2 + " ms); catch_up_s: from pgbench's end to the poll (every "
                + CdcHeartbeat.POLL.toMillis() + " ms) that sees a heartbeat inserted after it on the destination, the median over the"
                + " measured run and " + catchUpRounds + " more loads of " + CATCH_UP_ROUND_SECONDS + " s (catch_ups_s: each, the"
                + " measured run's first); apply_latency_ms: per way, from each heartbeat's commit on the source (its commit"
                + " timestamp) to the commit of its apply on the destination (clock_timestamp() in a deferred trigger enabled ALWAYS there), over the"
                + " heartbeats of the measured run and the catch-up rounds, p50/p95/p99/max");
        if (warmup > 0 && all.stream().anyMatch(way -> !way.failed())) {
            log("warm-up: pgbench -c %d -T %d, unmeasured", clients, warmup);
            load(all, warmup, true);
            all.forEach(CdcWay::clearSamples);
        }
        if (all.stream().anyMatch(way -> !way.failed())) {
            CdcService service = setup.service();
            boolean oursFollows = service != null && !results.get("ours").failed();
            double cpu = oursFollows ? service.cpuSeconds() : Double.NaN;
            if (oursFollows) {
                service.startLagReadings(MIGRATION);
            }
            long firstBeat = heartbeat.lastId() + 1;
            CdcApplyLatency.install(all.stream().filter(way -> !way.failed()).toList());
            Lsn start = Lsn.parse(PgClients.query(sourceDb, "SELECT pg_current_wal_lsn()::text"));
            log("measured: pgbench -c %d -j %d -T %d while both follow", clients, jobs(), seconds);
            result.put("tps", load(all, seconds, true));
            result.put("wal_bytes", Lsn.parse(PgClients.query(sourceDb, "SELECT pg_current_wal_lsn()::text")).bytesSince(start));
            if (oursFollows) {
                results.get("ours").note("service_cpu_s", Reports.round(service.cpuSeconds() - cpu));
                results.get("ours").note("service_reported_lag", service.stopLagReadings());
            }
            for (int round = 1; round <= catchUpRounds && all.stream().anyMatch(way -> !way.failed()); round++) {
                log("catch-up round %d of %d: pgbench -c %d -T %d", round, catchUpRounds, clients, CATCH_UP_ROUND_SECONDS);
                load(all, CATCH_UP_ROUND_SECONDS, false);
            }
            result.put("apply_latency_ms", CdcApplyLatency.collect(all, sourceDb, firstBeat));
            if (drainSeconds > 0 && all.stream().anyMatch(way -> !way.failed())) {
                result.put("drain", CdcDrain.measure(all, setup.service(), sourceDb, heartbeat, setup.programs(), List.of("-c",
                        Integer.toString(clients), "-j", Integer.toString(jobs()), "-T", Integer.toString(drainSeconds))));
            }
            compare(all, sourceDb);
        }
        stop(sourceDb);
        Map<String, Object> waysJson = new LinkedHashMap<>();
        results.forEach((name, way) -> waysJson.put(name, way.json()));
        result.put("ways", waysJson);
        double oursP99 = results.containsKey("ours") ? results.get("ours").p99LagSeconds() : Double.NaN;
        result.put("ours_p99_lag_s", CdcWay.thousandths(oursP99));
        result.put("p99_lag_target_s", P99_LAG_TARGET_S);
        result.put("p99_lag_target_met", Double.isNaN(oursP99) ? null : oursP99 < P99_LAG_TARGET_S);
        double catchUp = results.containsKey("ours") && results.containsKey("native")
                ? ratio(results.get("ours").catchUpSeconds(), results.get("native").catchUpSeconds()) : Double.NaN;
        result.put("catch_up_ratio_ours_over_native", catchUp);
        result.put("catch_up_target", CATCH_UP_TARGET);
        result.put("catch_up_resolution_s", CdcHeartbeat.POLL.toMillis() / 1000.0);
        result.put("catch_up_target_met", Double.isNaN(catchUp) ? null : catchUp <= CATCH_UP_TARGET);
        if (results.containsKey("ours") && results.containsKey("native")) {
            result.put("catch_up_rounds_compared", CdcWay.pairs(results.get("ours"), results.get("native")));
        }
        failed = all.stream().anyMatch(CdcWay::failed);
        result.put("all_ran_and_compare_equal", !failed);
        return result;
    }

    /** Sets {@code way} up to follow the source (its initial copy timed); a failure is recorded on it. */
    private void follow(CdcWay way, PostgresBinaries binaries, ConnectionDetails sourceDb) {
        try {
            double initialSync;
            if (way.name().equals("native")) {
                long started = System.nanoTime();
                new CdcNative(binaries, setup.work()).follow(sourceDb, way.destination());
                initialSync = (System.nanoTime() - started) / 1e9;
                way.note("setup", "pg_dump --schema-only | pg_restore, CREATE PUBLICATION " + CdcNative.NAME + " FOR ALL TABLES,"
                        + " CREATE SUBSCRIPTION " + CdcNative.NAME + " (copy_data); initial_sync_s from pg_dump until every table is ready");
            } else {
                CdcService service = setup.service();
                service.awaitHealthy();
                CloneService.Cluster from = service.cluster("bench-source", sourceDb);
                CloneService.Cluster to = service.cluster("bench-" + way.destination().database(), way.destination());
                log("ours: clone_and_follow into %s", way.destination().database());
                initialSync = service.follow(MIGRATION, from, to);
                way.note("setup", "POST /api/v1/clusters (source, destination), POST /api/v1/migrations {mode: clone_and_follow},"
                        + " POST .../start; initial_sync_s from the start call until GET .../{id} reads status streaming");
            }
            way.note("initial_sync_s", Reports.round(initialSync));
            log("%s: following %s", way.name(), way.destination().database());
        } catch (Exception e) {
            log("%s: FAILED to start following: %s", way.name(), e);
            way.fail("not following: " + e);
        }
    }

    /**
     * pgbench for {@code duration} seconds with the heartbeat (and, with {@code sampling}, the lag samples) running, then a
     * last heartbeat and each way's catch-up to it, timed from pgbench's end; returns pgbench's tps.
     */
    private double load(List<CdcWay> all, int duration, boolean sampling) throws Exception {
        heartbeat.start(all, sampling);
        String out;
        long ended;
        try {
            out = setup.programs().pgbench(List.of("-c", Integer.toString(clients), "-j", Integer.toString(jobs()),
                    "-T", Integer.toString(duration)));
        } finally {
            ended = System.nanoTime();
            heartbeat.stop();
        }
        long last = heartbeat.beat();
        heartbeat.awaitVisible(last, all, ended, CATCH_UP_LIMIT);
        CdcWay ours = results.get("ours");
        if (ours != null && !ours.failed()) {
            Optional.ofNullable(setup.service().problem(MIGRATION)).ifPresent(ours::fail);
        }
        all.stream().filter(way -> !way.failed()).forEach(way -> log("%s: caught up in %.3f s", way.name(), way.catchUpSeconds()));
        return PgClients.tps(out);
    }

    /** Each destination that followed against the source: row counts and digests, indexes, constraints. */
    private static void compare(List<CdcWay> all, ConnectionDetails sourceDb) throws Exception {
        log("reading the source: row counts and digests, indexes, constraints");
        CloneCompare.Reading original = CloneCompare.read(sourceDb);
        for (CdcWay way : all.stream().filter(way -> !way.failed()).toList()) {
            List<String> differences = CloneCompare.differences(original, CloneCompare.read(way.destination(), original));
            way.compared(differences);
            log("%s: %s", way.destination().database(), differences.isEmpty() ? "compares equal to the source"
                    : "does NOT compare equal to the source:\n  " + String.join("\n  ", differences));
        }
    }

    /** Stops both ways; migration-service must have dropped its slot and publication on the source. */
    private void stop(ConnectionDetails sourceDb) throws Exception {
        if (results.containsKey("native")) {
            try {
                CdcNative.stop(sourceDb, results.get("native").destination());
            } catch (SQLException e) {
                results.get("native").fail("dropping its subscription: " + e.getMessage());
            }
        }
        CdcWay ours = results.get("ours");
        CdcService service = setup.service();
        if (ours == null || service == null || !service.created()) {
            return;
        }
        try {
            log("ours: POST /api/v1/migrations/%s/stop", MIGRATION);
            ours.note("stopped_status", service.stopMigration(MIGRATION).path("status").asString());
        } catch (Exception e) {
            log("ours: stopping: %s", e.getMessage());
        }
        String left = leftOnSource(sourceDb);
        ours.note("left_on_source", left == null ? "nothing" : left);
        if (left != null) {
            ours.fail("after its stop the source still has: " + left);
        }
    }

    /**
     * The replication slots and publications on the source's server and database, read every 100 ms until there
     * are none (30 s at most): null for none, else what was still there at the end.
     */
    static String leftOnSource(ConnectionDetails sourceDb) throws SQLException, InterruptedException {
        String left = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            left = PgClients.query(sourceDb, "SELECT string_agg(what, ', ') FROM (SELECT 'slot ' || slot_name AS what FROM pg_replication_slots"
                    + " UNION ALL SELECT 'publication ' || pubname FROM pg_publication) t");
            if (left == null) {
                break;
            }
            Thread.sleep(100);
        }
        return left;
    }

    private int jobs() {
        return Math.min(2, clients);
    }

    /** Called once, at the end or from the shutdown hook: the heartbeat, the programs, the child JVM, the servers, temp files. */
    private void cleanUp() {
        Optional.ofNullable(heartbeat).ifPresent(h -> {
            try {
                h.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            h.close();
        });
        results.values().forEach(CdcWay::close);
        setup.stop();
        log("cleaned up");
    }

    /**
     * What a benchmark that follows a pgbench source runs on, each server in a run folder of its own: the source
     * server ({@link #SOURCE_SETTINGS}) whose database {@link #SOURCE_DB} holds {@code pgbench -i -s <scale>} as
     * pgbench makes it, the destination server, and migration-service as a child JVM when asked for. {@link #stop}
     * stops what was started, also after a start that failed midway.
     */
    static final class Setup {

        private final String purpose;
        private volatile Path work;
        private volatile PostgresBinaries binaries;
        private volatile Path sourceRun;
        private volatile Path targetRun;
        private volatile LocalPostgres source;
        private volatile LocalPostgres target;
        private volatile CdcService service;
        private volatile PgClients programs;

        /** @param purpose names the run folders (one for the servers each, one for the files of the run) and the client programs' sessions */
        Setup(String purpose) {
            this.purpose = purpose;
        }

        /** The run's folder for files: the service's log and state, the client programs' output. */
        Path work() {
            return work;
        }

        /** Starts the servers and builds the source; with {@code withService}, migration-service too, its JVM starting meanwhile. */
        void start(boolean withService, int scale) throws Exception {
            work = DataDirectories.forRun(purpose, null);
            binaries = PostgresBinaries.locate(null);
            sourceRun = DataDirectories.forRun(purpose, null);
            source = PgClients.startLogicalServer(binaries, sourceRun, SOURCE_SETTINGS);
            targetRun = DataDirectories.forRun(purpose, null);
            target = PgClients.startLogicalServer(binaries, targetRun, Map.of());
            if (withService) {
                Path jar = Path.of("migration-service/target/migration-service.jar").toAbsolutePath();
                service = new CdcService(jar, work, work.resolve("state"));
                log("starting %s (%s), log in %s", CdcService.NAME, jar, service.logFile());
                service.start();
            }
            PgClients.execute(source.connectionDetails("postgres"), "CREATE DATABASE " + SOURCE_DB);
            programs = new PgClients(binaries, sourceDb(), work, purpose);
            log("pgbench -i -s %d in %s", scale, SOURCE_DB);
            programs.pgbench(List.of("-i", "-s", Integer.toString(scale), "-q"));
        }

        PostgresBinaries binaries() {
            return binaries;
        }

        ConnectionDetails sourceDb() {
            return source.connectionDetails(SOURCE_DB);
        }

        /** The destination server's {@code postgres} database. */
        ConnectionDetails targetAdmin() {
            return target.connectionDetails("postgres");
        }

        /** Null when it was not asked for. */
        CdcService service() {
            return service;
        }

        /** pgbench and the other client programs, on the source's database. */
        PgClients programs() {
            return programs;
        }

        /** The folder the servers' run folders are in. */
        Path dataFolder() {
            return sourceRun.getParent();
        }

        /** The JSON's first fields: the benchmark's name, the date, the cores, PostgreSQL's and the JVM's versions. */
        Map<String, Object> header(String benchmark) throws SQLException {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("benchmark", benchmark);
            result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
            result.put("cores", Runtime.getRuntime().availableProcessors());
            result.put("postgres_version", PgClients.query(sourceDb(), "SHOW server_version"));
            result.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            return result;
        }

        /** Kills the client program running, stops migration-service, then both servers; removes the run folders. */
        void stop() {
            Optional.ofNullable(programs).ifPresent(PgClients::destroy);
            Optional.ofNullable(service).ifPresent(CdcService::stop);
            PgClients.stopServer(target, targetRun);
            PgClients.stopServer(source, sourceRun);
            Optional.ofNullable(work).ifPresent(DataDirectories::release);
        }
    }
}
