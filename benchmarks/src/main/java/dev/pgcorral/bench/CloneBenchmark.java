package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.options;
import static dev.pgcorral.bench.Reports.ratio;
import static dev.pgcorral.bench.Reports.round;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Clones one data set ({@link CloneDataSet}) three ways, each into a fresh empty database on a second
 * throwaway server, with the same number of jobs: migration-service ({@link CloneService}, a {@code clone_only}
 * migration through its API), {@code pgcopydb clone} and {@code pg_dump -Fd -j | pg_restore -j}
 * ({@link CloneBaselines}). After each, the copy is compared with the source ({@link CloneCompare}) and dropped.
 * Prints one JSON object on the last line of stdout (wall time, MB/s, comparison per way, ratios against the
 * targets) and exits 1 after it when a way failed or its copy differs. Servers, the child JVM and temp files go
 * at the end, also when interrupted.
 */
public final class CloneBenchmark {

    static final String SOURCE_DB = "bench_source";
    static final String WARMUP_DB = "bench_warmup";
    static final double TARGET_OVER_PGCOPYDB = 1.0;
    static final double TARGET_OVER_DUMP_RESTORE = 0.8;
    static final List<String> WAYS = List.of("ours", "pgcopydb", "dump");
    /** Both servers: no autovacuum (no background work racing a clone), no checkpoint forced by WAL volume within a clone. */
    static final Map<String, String> SERVER_SETTINGS = Map.of("autovacuum", "off", "max_wal_size", "4GB");

    private final CloneDataSet dataSet;
    private final int jobs;
    private final List<String> ways;
    private final int rounds;
    private final Path jar;
    private final Path work;
    private volatile boolean failed;
    private volatile Path sourceRun;
    private volatile Path targetRun;
    private volatile LocalPostgres source;
    private volatile LocalPostgres target;
    private volatile PgClients programs;
    private volatile CloneBaselines baselines;
    private volatile CloneService service;
    private CloneService.Cluster sourceCluster;

    private CloneBenchmark(Map<String, String> args) throws Exception {
        this.dataSet = new CloneDataSet(Reports.number(args, "scale", 30, 1), Reports.number(args, "documents", 60_000, 0));
        this.jobs = Reports.number(args, "jobs", 4, 1);
        this.ways = Arrays.stream(args.getOrDefault("ways", String.join(",", WAYS)).split(",")).map(String::strip).distinct().toList();
        if (ways.isEmpty() || !WAYS.containsAll(ways)) {
            throw new IllegalArgumentException("--ways takes some of " + String.join(",", WAYS) + ", was " + args.get("ways"));
        }
        this.rounds = Reports.number(args, "rounds", 3, 1);
        String jarPath = System.getenv("BENCH_CLONE_JAR");
        this.jar = Path.of(jarPath == null || jarPath.isBlank() ? "migration-service/target/migration-service.jar" : jarPath).toAbsolutePath();
        this.work = DataDirectories.forRun("bench-clone", null); // on tmpfs like the servers: the dump folder, pgcopydb's, logs
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = options(argv, "--scale N --documents N --jobs N --rounds N --ways ours,pgcopydb,dump");
        CloneBenchmark benchmark = new CloneBenchmark(args);
        Reports.runAndPrint(benchmark::run, benchmark::cleanUp);
        if (benchmark.failed) {
            log("FAILED: a way failed or its copy does not compare equal (see \"ways\" in the JSON)");
            System.exit(1);
        }
    }

    private Map<String, Object> run() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        String pgcopydbVersion = null;
        if (ways.contains("pgcopydb")) {
            pgcopydbVersion = CloneBaselines.pgcopydbVersion();
            if (pgcopydbVersion == null) {
                throw new IllegalStateException("pgcopydb is not installed: apt-get install pgcopydb, or leave it out with --ways");
            }
        }
        sourceRun = DataDirectories.forRun("bench-clone", null);
        source = PgClients.startLogicalServer(binaries, sourceRun, SERVER_SETTINGS);
        targetRun = DataDirectories.forRun("bench-clone", null);
        target = PgClients.startLogicalServer(binaries, targetRun, SERVER_SETTINGS);
        if (ways.contains("ours")) {
            service = new CloneService(jar, work, work.resolve("state"));
            log("starting %s (%s), log in %s", CloneService.NAME, jar, service.logFile());
            service.start(); // its JVM starts while the data set is built
        }
        ConnectionDetails sourceAdmin = source.connectionDetails("postgres");
        ConnectionDetails targetAdmin = target.connectionDetails("postgres");
        ConnectionDetails sourceDb = sourceAdmin.withDatabase(SOURCE_DB);
        PgClients.execute(sourceAdmin, "CREATE DATABASE " + SOURCE_DB);
        programs = new PgClients(binaries, sourceDb, work, "bench-clone");
        dataSet.build(programs, sourceDb);
        log("reading the source: row counts and digests, indexes, constraints, sequences");
        CloneCompare.Reading original = CloneCompare.read(sourceDb);
        long sourceBytes = CloneDataSet.sizeBytes(sourceDb);
        double sourceMb = sourceBytes / 1048576.0;
        log("source: %.1f MB, %s", sourceMb, original.counts());

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "clone");
        result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("postgres_version", PgClients.query(sourceAdmin, "SHOW server_version"));
        result.put("pgcopydb_version", pgcopydbVersion);
        result.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        result.put("servers", "two local PostgreSQL servers on this machine (LocalPostgres: fsync off, synchronous_commit off, "
                + "wal_level logical, autovacuum off, max_wal_size 4GB, data on " + sourceRun.getParent() + "): the source ("
                + SOURCE_DB + ") and the target, where each way gets a fresh empty database, dropped after its comparison; "
                + "the dump folder and pgcopydb's work folder are on the same tmpfs");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("scale", dataSet.scale());
        data.put("documents", dataSet.documents());
        data.putAll(CloneDataSet.describe(sourceDb, original.tables()));
        data.put("objects", original.counts());
        result.put("data_set", data);
        result.put("units", "wall_s and *_s: seconds, medians over the rounds; mb_per_s: data_set.mb (the source's pg_database_size,"
                + " MB of 2^20 bytes) / wall_s; *_cpu_s: CPU seconds (user + system) of the way's own processes (client) and of each"
                + " server's processes during the clone");
        result.put("jobs", jobs);
        result.put("rounds", rounds);
        List<List<String>> order = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            order.add(rotated(ways, round - 1));
        }
        result.put("order", order);
        result.put("order_reason", "alternating: round 1 runs the ways in the order of --ways and each later round starts one"
                + " further along it, so over as many rounds as ways each runs first, in the middle and last; each clone goes into"
                + " a fresh database after a CHECKPOINT on both servers and is dropped after its comparison; figures are medians");

        baselines = new CloneBaselines(binaries, work, List.of(sourceAdmin, targetAdmin));
        Map<String, CloneWay> results = new LinkedHashMap<>();
        ways.forEach(way -> results.put(way, new CloneWay(way)));
        if (results.containsKey("pgcopydb")) {
            results.get("pgcopydb").note("command", "pgcopydb clone --source <uri> --target <uri> --table-jobs " + jobs
                    + " --index-jobs " + jobs + " --dir <tmpfs folder> (defaults otherwise: no same-table concurrency)");
        }
        if (results.containsKey("dump")) {
            results.get("dump").note("command", "pg_dump -Fd -j " + jobs + " -f <tmpfs folder> (default compression), then pg_restore -j "
                    + jobs + " --exit-on-error -d <empty database>; wall_s is both, dump_s and restore_s the parts");
        }
        if (service != null) {
            CloneWay ours = results.get("ours");
            ours.note("measured", "wall time from POST /api/v1/migrations/{id}/start to the first GET /api/v1/migrations/{id}"
                    + " (polled every 100 ms) that reads status completed; the clusters and the migration are created before;"
                    + " service_reported_s is the migration's finished_at - started_at");
            try {
                service.awaitHealthy();
                ours.note("warmup", warmUp(binaries, sourceAdmin, targetAdmin));
                sourceCluster = service.cluster("bench-source", sourceDb);
            } catch (Exception e) {
                log("ours: FAILED before its first clone: %s", e);
                ours.fail("not cloned: " + e);
            }
        }
        ServerCpu sourceCpu = new ServerCpu(sourceRun.resolve("data"));
        ServerCpu targetCpu = new ServerCpu(targetRun.resolve("data"));
        for (int round = 1; round <= rounds; round++) {
            List<String> roundOrder = order.get(round - 1);
            log("round %d of %d: %s", round, rounds, String.join(", ", roundOrder));
            for (String way : roundOrder) {
                CloneWay figures = results.get(way);
                if (!figures.failed()) {
                    cloneOnce(figures, round, sourceDb, targetAdmin, sourceCpu, targetCpu, original, sourceMb);
                }
            }
        }
        Map<String, Object> waysJson = new LinkedHashMap<>();
        results.forEach((way, figures) -> waysJson.put(way, figures.json(sourceMb)));
        result.put("ways", waysJson);
        ToDoubleFunction<String> median = way -> results.containsKey(way) ? results.get(way).medianSeconds() : Double.NaN;
        putRatio(result, "ours_over_pgcopydb_time", median.applyAsDouble("ours"), median.applyAsDouble("pgcopydb"), TARGET_OVER_PGCOPYDB);
        putRatio(result, "ours_over_dump_restore_time", median.applyAsDouble("ours"), median.applyAsDouble("dump"), TARGET_OVER_DUMP_RESTORE);
        failed = results.values().stream().anyMatch(CloneWay::failed);
        result.put("all_ran_and_compare_equal", !failed);
        return result;
    }

    /**
     * One clone of the source into a fresh database {@code clone_<way>} on the target server (after a CHECKPOINT on
     * both), timed, then compared with the source and dropped; a failure is recorded on {@code way}.
     */
    private void cloneOnce(CloneWay way, int round, ConnectionDetails sourceDb, ConnectionDetails targetAdmin, ServerCpu sourceCpu,
                           ServerCpu targetCpu, CloneCompare.Reading original, double sourceMb) throws Exception {
        ConnectionDetails copy = targetAdmin.withDatabase("clone_" + way.name());
        PgClients.execute(targetAdmin, "CREATE DATABASE " + copy.database());
        PgClients.execute(sourceDb, "CHECKPOINT");
        PgClients.execute(targetAdmin, "CHECKPOINT");
        log("%s: cloning %s into %s with %d jobs", way.name(), SOURCE_DB, copy.database(), jobs);
        double sourceCpuBefore = sourceCpu.seconds();
        double targetCpuBefore = targetCpu.seconds();
        try {
            Map<String, Double> figures = new LinkedHashMap<>();
            CloneBaselines.Timing timing = switch (way.name()) {
                case "ours" -> ours(round, copy, figures);
                case "pgcopydb" -> baselines.pgcopydb(sourceDb, copy, jobs);
                default -> baselines.dumpRestore(sourceDb, copy, jobs);
            };
            figures.putAll(timing.parts());
            figures.put("client_cpu_s", timing.cpuSeconds());
            figures.put("source_server_cpu_s", sourceCpu.seconds() - sourceCpuBefore);
            figures.put("target_server_cpu_s", targetCpu.seconds() - targetCpuBefore);
            way.add(timing.seconds(), figures);
            log("%s: %.1f s, %.1f MB/s; comparing with the source", way.name(), timing.seconds(), sourceMb / timing.seconds());
            CloneCompare.Reading reading = CloneCompare.read(copy, original);
            way.compared(round, reading.counts(), differences(original, reading, copy.database()));
        } catch (Exception e) {
            log("%s FAILED: %s", way.name(), e);
            if (e.getMessage() == null) {
                e.printStackTrace();
            }
            way.fail(e.toString());
        }
        PgClients.execute(targetAdmin, "DROP DATABASE IF EXISTS " + copy.database() + " WITH (FORCE)");
    }

    /** migration-service's clone into {@code copy}, timed from the start call to the poll that sees it completed. */
    private CloneBaselines.Timing ours(int round, ConnectionDetails copy, Map<String, Double> figures) throws Exception {
        CloneService.Cluster targetCluster = service.cluster("bench-" + copy.database() + "-" + round, copy);
        CloneService.Clone clone = service.clone("bench-clone-" + round, sourceCluster, targetCluster, jobs);
        figures.put("service_reported_s", clone.serviceSeconds());
        figures.putAll(clone.phaseSeconds());
        return new CloneBaselines.Timing(clone.seconds(), Map.of(), clone.cpuSeconds());
    }

    /**
     * An untimed clone of a small database (pgbench scale 1, 1,000 documents) through migration-service, so its
     * JIT is warm for the timed one; its copy is compared too.
     */
    private Map<String, Object> warmUp(PostgresBinaries binaries, ConnectionDetails sourceAdmin, ConnectionDetails targetAdmin) throws Exception {
        ConnectionDetails small = sourceAdmin.withDatabase(WARMUP_DB);
        ConnectionDetails copy = targetAdmin.withDatabase(WARMUP_DB);
        PgClients.execute(sourceAdmin, "CREATE DATABASE " + WARMUP_DB);
        PgClients.execute(targetAdmin, "CREATE DATABASE " + WARMUP_DB);
        new CloneDataSet(1, 1000).build(new PgClients(binaries, small, work, "bench-clone"), small);
        log("ours: warm-up clone of %s", WARMUP_DB);
        Map<String, Object> warmup = new LinkedHashMap<>();
        warmup.put("data_set", "pgbench scale 1, 1000 documents");
        CloneService.Clone clone = service.clone("bench-warmup", service.cluster("bench-warmup-source", small),
                service.cluster("bench-warmup-target", copy), jobs);
        warmup.put("wall_s", round(clone.seconds()));
        CloneCompare.Reading original = CloneCompare.read(small);
        List<String> differences = differences(original, CloneCompare.read(copy, original), WARMUP_DB);
        if (!differences.isEmpty()) {
            throw new IllegalStateException("the warm-up copy does not compare equal: " + String.join("; ", differences));
        }
        PgClients.execute(targetAdmin, "DROP DATABASE " + WARMUP_DB + " WITH (FORCE)");
        PgClients.execute(sourceAdmin, "DROP DATABASE " + WARMUP_DB + " WITH (FORCE)");
        return warmup;
    }

    private static List<String> rotated(List<String> list, int by) {
        List<String> out = new ArrayList<>(list);
        Collections.rotate(out, -by);
        return out;
    }

    /** What differs in {@code copy} from the source's reading, logged. */
    private static List<String> differences(CloneCompare.Reading original, CloneCompare.Reading copy, String database) {
        List<String> differences = CloneCompare.differences(original, copy);
        if (differences.isEmpty()) {
            log("%s compares equal to the source", database);
        } else {
            log("%s does NOT compare equal to the source:\n  %s", database, String.join("\n  ", differences));
        }
        return differences;
    }

    /** {@code name} (ours ÷ baseline median wall time, smaller is better) and {@code name_meets_target}; null when either is missing. */
    private static void putRatio(Map<String, Object> result, String name, double ours, double baseline, double target) {
        double value = ratio(ours, baseline);
        result.put(name, value);
        result.put(name + "_target", target);
        result.put(name + "_meets_target", Double.isNaN(value) ? null : value <= target);
    }

    /** Called once, at the end or from the shutdown hook: the programs, the child JVM, the servers, temp files. */
    private void cleanUp() {
        Optional.ofNullable(programs).ifPresent(PgClients::destroy);
        Optional.ofNullable(baselines).ifPresent(CloneBaselines::destroy);
        Optional.ofNullable(service).ifPresent(CloneService::stop);
        PgClients.stopServer(target, targetRun);
        PgClients.stopServer(source, sourceRun);
        DataDirectories.release(work);
        log("cleaned up");
    }
}
