package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.deleteTree;
import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.median;
import static dev.pgcorral.bench.Reports.options;
import static dev.pgcorral.bench.Reports.ratio;
import static dev.pgcorral.bench.Reports.round;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.logical.Publications;
import dev.pgcorral.common.logical.ReplicationMessage;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.Resumed;
import dev.pgcorral.common.logical.ReplicationMessage.Truncate;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;

/**
 * Logical decoding throughput of our replication layer ({@link ChangeStream}, every column value
 * converted to Java) against {@code pg_recvlogical} on the same WAL: {@code pgbench -i} in a fresh
 * database, a publication for all tables, warm-up drains through our layer, then 2 × rounds slots
 * copied from one (so all start at the same point), pgbench's TPC-B-like workload, a final
 * transactional logical message {@code bench-end}, and in each round one drain of each kind up to
 * that message, in alternating order. Prints one JSON object on the last line of stdout; progress
 * goes to stderr. Slots, the database (with {@code --url}), the server and temp files go at the end,
 * also when interrupted.
 */
public final class LogicalBenchmark {

    private static final String PUBLICATION = "bench_pub";
    private static final String END_PREFIX = "bench-end";
    private static final double TARGET_RATIO = 0.9;
    private static final int WARMUP_DRAINS = 3;
    /** A drain that sees nothing for this long has failed. */
    private static final Duration IDLE_LIMIT = Duration.ofSeconds(120);
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final Workload workload;
    private final int clients;
    private final int durationSeconds;
    private final int scale;
    private final int rounds;
    private final int warmupSeconds;
    private final String url;
    private final Path work;
    private final List<String> slots = Collections.synchronizedList(new ArrayList<>());
    private PostgresBinaries binaries;
    private LocalPostgres server;
    private Path serverRun;
    private ConnectionDetails admin;
    private ConnectionDetails db;
    private volatile PgClients programs;
    private volatile boolean createdDatabase;
    private volatile ChangeStream openStream;

    private LogicalBenchmark(Map<String, String> args) throws IOException {
        this.workload = Workload.parse(args, 20, 10);
        this.clients = workload.clients();
        this.durationSeconds = workload.durationSeconds();
        this.scale = workload.scale();
        this.rounds = workload.rounds();
        this.warmupSeconds = workload.warmupSeconds();
        // the URL carries a password: from the environment (scripts/bench-logical puts --url there), never argv
        this.url = System.getenv("BENCH_URL") == null || System.getenv("BENCH_URL").isBlank() ? null : System.getenv("BENCH_URL");
        this.work = Files.createTempDirectory("pgcorral-bench-logical-");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = options(argv, "--clients N --duration S --scale N --rounds N --warmup S;"
                + " a running server through BENCH_URL=postgresql://user:password@host:port/database");
        LogicalBenchmark benchmark = new LogicalBenchmark(args);
        Reports.runAndPrint(benchmark::run, benchmark::cleanUp);
    }

    private Map<String, Object> run() throws Exception {
        binaries = PostgresBinaries.locate(null);
        startOrConnect();
        String version = PgClients.query(admin, "SHOW server_version");
        if (!"logical".equals(PgClients.query(admin, "SHOW wal_level"))) {
            throw new IllegalStateException("the server needs wal_level = logical");
        }
        String database = "bench_logical_" + ProcessHandle.current().pid();
        db = admin.withDatabase(database);
        programs = new PgClients(binaries, db, work, "bench-logical");
        createdDatabase = true;
        PgClients.execute(admin, "CREATE DATABASE " + Identifiers.quote(database));

        log("pgbench -i -s %d in %s", scale, database);
        pgbench(List.of("-i", "-s", Integer.toString(scale), "-q"));
        new Publications(db).createForAllTables(PUBLICATION);
        ReplicationSlots slotApi = new ReplicationSlots(db);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "logical");
        result.put("server", url == null ? "local (LocalPostgres, throwaway settings, wal_level=logical)" : "given by --url");
        workload.describe(result, version);

        if (warmupSeconds > 0) {
            // Several drains of one short workload (slots copied from one point), so C2 has compiled the
            // decoding path before the measured drains: one drain of a few seconds was not enough on 2 cores.
            List<String> warmSlots = new ArrayList<>();
            for (int i = 1; i <= WARMUP_DRAINS; i++) {
                String slot = "bench_warmup_" + i;
                slots.add(slot);
                warmSlots.add(slot);
                if (i == 1) {
                    slotApi.create(slot);
                } else {
                    copySlot(warmSlots.get(0), slot);
                }
            }
            log("warm-up: pgbench -c %d -T %d, then %d drains of it through our layer", clients, warmupSeconds, WARMUP_DRAINS);
            pgbench(workload.pgbench(warmupSeconds));
            emitEnd();
            List<Double> warmSeconds = new ArrayList<>();
            Tally warm = null;
            for (String slot : warmSlots) {
                warm = drainOurs(slot);
                dropSlot(slot);
                warmSeconds.add(round(warm.seconds));
                log("warm-up drain: %d transactions, %d changes in %.2f s (JVM CPU %.2f s)", warm.transactions,
                        warm.changes, warm.seconds, warm.cpuSeconds);
            }
            result.put("warmup", "ours: " + WARMUP_DRAINS + " drains through ChangeStream (same decoding) of one "
                    + warmupSeconds + " s pgbench run before the measured drains, so the JIT is warm; pg_recvlogical needs none");
            result.put("warmup_transactions", warm.transactions);
            result.put("warmup_drains_s", warmSeconds);
        } else {
            result.put("warmup", "none (--warmup 0)");
        }

        // All slots at the same point: one created, the others copies of it (same restart and confirmed LSN).
        String first = "bench_ours_1";
        slots.add(first);
        Lsn start = slotApi.create(first);
        List<String[]> pairs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String ours = "bench_ours_" + round;
            String baseline = "bench_recvlogical_" + round;
            if (round > 1) {
                copySlot(first, ours);
            }
            copySlot(first, baseline);
            pairs.add(new String[] {ours, baseline});
        }
        log("%d slots at %s; pgbench -c %d -T %d", 2 * rounds, start, clients, durationSeconds);
        String pgbenchOut = pgbench(workload.pgbench(durationSeconds));
        Lsn endMessage = emitEnd();
        // the insert position: pg_current_wal_lsn() is where WAL was written to, which lags under synchronous_commit = off
        Lsn end = Lsn.parse(PgClients.query(db, "SELECT pg_current_wal_insert_lsn()::text"));
        long walBytes = end.bytesSince(start);
        double walMb = walBytes / 1048576.0;
        log("workload done: %.1f MB of WAL from %s to %s, end message at %s", walMb, start, end, endMessage);
        result.put("pgbench_tps", PgClients.tps(pgbenchOut));
        result.put("start_lsn", start.toString());
        result.put("end_message_lsn", endMessage.toString());
        result.put("end_lsn", end.toString());
        result.put("wal_bytes", walBytes);
        result.put("wal_mb", round(walMb));
        result.put("order", rounds == 1 ? "ours first, then pg_recvlogical (the WAL is no warmer for ours)"
                : "alternating: ours first in odd rounds, pg_recvlogical first in even rounds");

        List<Map<String, Object>> perRound = new ArrayList<>();
        List<Double> oursSeconds = new ArrayList<>();
        List<Double> oursCpu = new ArrayList<>();
        List<Double> baselineSeconds = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        Tally tally = null;
        String verified = null;
        for (int round = 1; round <= rounds; round++) {
            String[] pair = pairs.get(round - 1);
            boolean oursFirst = round % 2 == 1;
            Tally ours = null;
            double baseline = 0;
            for (int turn = 0; turn < 2; turn++) {
                if ((turn == 0) == oursFirst) {
                    log("round %d: draining %s through ChangeStream", round, pair[0]);
                    ours = drainOurs(pair[0]);
                    log("round %d: ours %.2f s (JVM CPU %.2f s), %d transactions, %d changes, %d values", round,
                            ours.seconds, ours.cpuSeconds, ours.transactions, ours.changes, ours.values);
                } else {
                    log("round %d: draining %s with pg_recvlogical", round, pair[1]);
                    baseline = programs.recvlogical(pair[1], PUBLICATION, endMessage, Path.of("/dev/null"));
                    verified = "exit status 0, '" + "end position " + endMessage + " reached by WAL record' in its -v output, "
                            + "slot confirmed_flush_lsn >= end message LSN";
                    log("round %d: pg_recvlogical %.2f s", round, baseline);
                }
            }
            if (tally != null && (tally.transactions != ours.transactions || tally.changes != ours.changes)) {
                throw new IllegalStateException("round " + round + " decoded " + ours.transactions + " transactions and "
                        + ours.changes + " changes, round 1 " + tally.transactions + " and " + tally.changes);
            }
            tally = tally == null ? ours : tally;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("round", round);
            r.put("first", oursFirst ? "ours" : "pg_recvlogical");
            r.put("ours_s", round(ours.seconds));
            r.put("ours_jvm_cpu_s", round(ours.cpuSeconds));
            r.put("pg_recvlogical_s", round(baseline));
            r.put("server_decoded_txns_ours", slotTotalTxns(pair[0]));
            r.put("server_decoded_txns_pg_recvlogical", slotTotalTxns(pair[1]));
            r.put("throughput_ratio", ratio(baseline, ours.seconds));
            perRound.add(r);
            oursSeconds.add(ours.seconds);
            oursCpu.add(ours.cpuSeconds);
            baselineSeconds.add(baseline);
            ratios.add(baseline / ours.seconds);
            dropSlot(pair[0]);
            dropSlot(pair[1]);
        }

        result.put("transactions", tally.transactions);
        result.put("changes", tally.changes);
        Map<String, Object> ours = side(median(oursSeconds), tally, walMb);
        ours.put("decoding", "ChangeStream, pgoutput protocol 1 in text, messages=true; Row.toJava(i) (PgValues) "
                + "for every column of every new and old row, a hash of each value summed so the JIT keeps the work");
        ours.put("jvm_cpu_s", round(median(oursCpu)));
        ours.put("values_decoded", tally.values);
        ours.put("unchanged_toast_skipped", tally.unchangedToast);
        ours.put("checksum", tally.checksum);
        result.put("ours", ours);
        Map<String, Object> baseline = side(median(baselineSeconds), tally, walMb);
        baseline.put("command", "pg_recvlogical --start -o proto_version=1 -o publication_names=" + PUBLICATION
                + " -o messages=true --endpos=<end message LSN> -f /dev/null --no-loop -v");
        baseline.put("verified", verified);
        result.put("pg_recvlogical", baseline);
        result.put("per_round", perRound);
        double ratio = round(median(ratios));
        result.put("throughput_ratio", ratio);
        result.put("throughput_ratio_note", "ours ÷ pg_recvlogical in transactions/s over the same WAL"
                + (rounds > 1 ? ", median of the rounds' ratios; per-side figures are medians" : ""));
        result.put("target_ratio", TARGET_RATIO);
        result.put("meets_target", ratio >= TARGET_RATIO);
        return result;
    }

    private static Map<String, Object> side(double seconds, Tally tally, double walMb) {
        Map<String, Object> side = new LinkedHashMap<>();
        side.put("seconds", round(seconds));
        side.put("transactions_per_s", round(tally.transactions / seconds));
        side.put("changes_per_s", round(tally.changes / seconds));
        side.put("wal_mb_per_s", round(walMb / seconds));
        return side;
    }

    private void startOrConnect() {
        if (url != null) {
            admin = ConnectionDetails.parse(url);
            log("using the server at %s", admin.redacted());
            return;
        }
        serverRun = DataDirectories.forRun("bench-logical", null);
        server = PgClients.startLogicalServer(binaries, serverRun, Map.of());
        admin = server.connectionDetails("postgres");
    }

    /** Counts of one drain through our layer. */
    private static final class Tally {
        long transactions;
        long changes;
        long values;
        long unchangedToast;
        long checksum;
        double seconds;
        /** CPU time of the whole JVM (reader thread, consumer, GC) during the drain. */
        double cpuSeconds;

        void decode(Row row) {
            for (int i = 0, n = row.size(); i < n; i++) {
                if (row.isUnchangedToast(i)) {
                    unchangedToast++;
                    continue;
                }
                Object value = row.toJava(i);
                values++;
                checksum = checksum * 31 + (value == null ? 0 : value.hashCode());
            }
        }
    }

    /** Reads {@code slot} through {@link ChangeStream} up to the {@code bench-end} message, decoding every value. */
    private Tally drainOurs(String slot) throws InterruptedException {
        Tally tally = new Tally();
        long cpuStarted = CPU.getProcessCpuTime();
        long started = System.nanoTime();
        try (ChangeStream stream = ChangeStream.builder(db).slot(slot).publications(PUBLICATION).messages(true)
                .applicationName("bench-ours").open()) {
            openStream = stream;
            int idle = 0;
            while (true) {
                ReplicationMessage message = stream.poll(Duration.ofSeconds(1));
                if (message == null) {
                    if (++idle > IDLE_LIMIT.toSeconds()) {
                        throw new IllegalStateException("no message from slot " + slot + " for " + IDLE_LIMIT.toSeconds()
                                + " s; progress " + stream.progress());
                    }
                    continue;
                }
                idle = 0;
                if (message instanceof Update u) {
                    tally.changes++;
                    if (u.oldRow() != null) {
                        tally.decode(u.oldRow());
                    }
                    tally.decode(u.newRow());
                } else if (message instanceof Insert i) {
                    tally.changes++;
                    tally.decode(i.newRow());
                } else if (message instanceof Commit c) {
                    tally.transactions++;
                    stream.acknowledge(c.endLsn());
                } else if (message instanceof Delete d) {
                    tally.changes++;
                    tally.decode(d.oldRow());
                } else if (message instanceof Truncate) {
                    tally.changes++;
                } else if (message instanceof Message m && END_PREFIX.equals(m.prefix())) {
                    tally.seconds = (System.nanoTime() - started) / 1e9;
                    tally.cpuSeconds = (CPU.getProcessCpuTime() - cpuStarted) / 1e9;
                    return tally;
                } else if (message instanceof Resumed r) {
                    throw new IllegalStateException("the stream from slot " + slot + " reconnected (" + r.reason()
                            + "): the counts would not hold; run again");
                }
            }
        } finally {
            openStream = null;
        }
    }

    /** pg_stat_replication_slots.total_txns once the slot's WAL sender is gone (PostgreSQL 14 on); -1 when unknown. */
    private long slotTotalTxns(String slot) throws SQLException, InterruptedException {
        for (int i = 0; i < 50 && "t".equals(PgClients.query(db, "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")); i++) {
            Thread.sleep(100);
        }
        try {
            String txns = PgClients.query(db, "SELECT total_txns FROM pg_stat_replication_slots WHERE slot_name = '" + slot + "'");
            return txns == null ? -1 : Long.parseLong(txns);
        } catch (SQLException e) {
            return -1;
        }
    }

    private Lsn emitEnd() throws SQLException {
        return Lsn.parse(PgClients.query(db, "SELECT pg_logical_emit_message(true, '" + END_PREFIX + "', 'end')::text"));
    }

    private void copySlot(String from, String to) throws SQLException {
        slots.add(to);
        PgClients.query(db, "SELECT slot_name FROM pg_copy_logical_replication_slot('" + from + "', '" + to + "')");
    }

    /** Drops {@code slot}, waiting a moment for a WAL sender that is still exiting. */
    private void dropSlot(String slot) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                new ReplicationSlots(db).drop(slot);
                slots.remove(slot);
                return;
            } catch (RuntimeException e) {
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private String pgbench(List<String> arguments) throws IOException, InterruptedException {
        return programs.pgbench(arguments);
    }

    /** Called once, at the end or from the shutdown hook. */
    private void cleanUp() {
        PgClients running = programs;
        if (running != null) {
            running.destroy();
        }
        ChangeStream stream = openStream;
        if (stream != null) {
            stream.close();
        }
        if (db != null) {
            for (String slot : List.copyOf(slots)) {
                try {
                    dropSlot(slot);
                } catch (Exception e) {
                    log("cannot drop slot %s: %s", slot, e.getMessage());
                }
            }
        }
        if (url != null && createdDatabase && db != null) {
            try {
                PgClients.execute(admin, "DROP DATABASE IF EXISTS " + Identifiers.quote(db.database()) + " WITH (FORCE)");
            } catch (SQLException e) {
                log("cannot drop database %s: %s", db.database(), e.getMessage());
            }
        }
        PgClients.stopServer(server, serverRun);
        deleteTree(work);
        log("cleaned up");
    }
}
