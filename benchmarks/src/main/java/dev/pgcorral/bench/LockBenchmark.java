package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.ratio;
import static dev.pgcorral.bench.Reports.round;
import static dev.pgcorral.bench.Reports.toJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * Drives a running lock-service with N parallel clients (lock over pgflock's protocol, one query on
 * the locked database, hold it for a test's time, release) for a set duration, then measures on the same PostgreSQL instance
 * and template: (a) pgflock's approach, resetting at lock time (terminate sessions, DROP, CREATE
 * FROM TEMPLATE, two ALTERs) as pgflock runs it, one psql process per statement, and the same
 * statements in one JDBC session; (b) the raw DROP + CREATE FROM TEMPLATE rate. Before all that,
 * {@code --queue N} clients queue on /lock at once ({@link QueuedLocks}). Prints one JSON
 * object on the last line of stdout; progress goes to stderr. Databases it creates are dropped,
 * also when interrupted.
 */
public final class LockBenchmark {

    private static final String TEMPLATE = "test_template";

    private final int port;
    private final String password;
    private final int clients;
    private final int durationSeconds;
    private final int warmupSeconds;
    private final boolean saturate;
    private final int holdMillis;
    private final int queue;
    private final List<String> created = Collections.synchronizedList(new ArrayList<>());
    private ConnectionDetails admin;

    private LockBenchmark(Map<String, String> args, int port) {
        this.port = port;
        this.password = args.getOrDefault("password", "pgflock");
        this.clients = Integer.parseInt(args.getOrDefault("clients", "16"));
        this.durationSeconds = Integer.parseInt(args.getOrDefault("duration", "20"));
        this.warmupSeconds = Integer.parseInt(args.getOrDefault("warmup", "10"));
        this.saturate = args.containsKey("saturate");
        this.holdMillis = Integer.parseInt(args.getOrDefault("hold-ms", saturate ? "0" : "500"));
        this.queue = Integer.parseInt(args.getOrDefault("queue", "1000"));
    }

    /**
     * {@code --port N} benchmarks one lock-service; {@code --targets local=N,docker=M} benchmarks several
     * (one per runtime, same template and clients) one after the other: the first one's figures stand at
     * the top level, each other's under its name, with {@code <name>_vs_<first>_*} ratios.
     */
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i] + "; use --port N | --targets name=N,..."
                        + " --password P --clients N --duration S --warmup S --hold-ms MS --queue N [--saturate]");
            }
            String name = argv[i].substring(2);
            boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
            args.put(name, flag ? "true" : argv[++i]);
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        for (String target : args.getOrDefault("targets", "local=" + args.getOrDefault("port", "9191")).split(",")) {
            String[] parts = target.split("=");
            targets.put(parts[0], Integer.parseInt(parts[1]));
        }
        Map<String, Object> combined = null;
        String first = null;
        for (Map.Entry<String, Integer> target : targets.entrySet()) {
            LockBenchmark benchmark = new LockBenchmark(args, target.getValue());
            Thread cleanUp = new Thread(benchmark::cleanUp);
            Runtime.getRuntime().addShutdownHook(cleanUp);
            log("== runtime %s (port %d)", target.getKey(), target.getValue());
            Map<String, Object> result = benchmark.run();
            benchmark.cleanUp();
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            if (combined == null) {
                first = target.getKey();
                combined = new LinkedHashMap<>();
                combined.put("runtime", first);
                combined.putAll(result);
            } else {
                combined.put(target.getKey(), result);
                for (String field : List.of("lock_p50_ms", "lock_p99_ms", "cycles_per_s", "raw_reset_per_s")) {
                    combined.put(target.getKey() + "_vs_" + first + "_" + field + "_ratio",
                            ratio(((Number) result.get(field)).doubleValue(), ((Number) combined.get(field)).doubleValue()));
                }
            }
        }
        System.out.println(toJson(combined));
    }

    private Map<String, Object> run() throws Exception {
        admin = discoverInstance();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "lock");
        result.put("saturate", saturate);
        result.put("clients", clients);
        result.put("duration_s", durationSeconds);
        result.put("hold_ms", holdMillis);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("postgres_version", query(admin.withDatabase("postgres"), "SHOW server_version"));
        result.put("pool_databases", Integer.parseInt(health("total")));
        result.put("template_mb", round(Long.parseLong(query(admin.withDatabase("postgres"),
                "SELECT pg_database_size('" + TEMPLATE + "')")) / 1048576.0));

        Map<String, Object> queued = Map.of();
        if (queue > 0) {
            // First: it also warms lock-service up (the JIT) for the timed run.
            log("%d clients queued on /lock at once against %s databases, each releasing once served", queue, result.get("pool_databases"));
            queued = new QueuedLocks(port, password, queue).run();
        }
        log("lock-service: %d clients, %d s (after %d s warm-up)", clients, durationSeconds, warmupSeconds);
        Samples ours = drive(clients, warmupSeconds, durationSeconds, this::lockCycle);
        result.put("locks", ours.count());
        result.put("errors", ours.errors.get());
        result.put("lock_p50_ms", ours.percentile(0.50));
        result.put("lock_p95_ms", ours.percentile(0.95));
        result.put("lock_p99_ms", ours.percentile(0.99));
        result.put("cycles_per_s", round(ours.count() / (double) durationSeconds));
        result.putAll(queued);

        int baselineSeconds = Math.max(5, durationSeconds / 2);
        List<String> baselineDbs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            baselineDbs.add("bench_baseline_" + i);
        }
        AtomicInteger next = new AtomicInteger();
        ThreadLocal<String> mine = ThreadLocal.withInitial(() -> baselineDbs.get(next.getAndIncrement() % baselineDbs.size()));
        String psql = PostgresBinaries.locate(null).program("psql").toString();
        log("baseline, pgflock's reset at lock time with psql: %d clients, %d s", clients, baselineSeconds);
        Samples psqlBaseline = drive(clients, 1, baselineSeconds, () -> resetAtLockWithPsql(psql, mine.get()));
        result.put("baseline_reset_at_lock_p50_ms", psqlBaseline.percentile(0.50));
        result.put("baseline_reset_at_lock_p95_ms", psqlBaseline.percentile(0.95));
        result.put("baseline_reset_at_lock_p99_ms", psqlBaseline.percentile(0.99));
        result.put("baseline_cycles_per_s", round(psqlBaseline.count() / (double) baselineSeconds));
        result.put("baseline_errors", psqlBaseline.errors.get());

        log("baseline, the same statements in one JDBC session per client: %d clients, %d s", clients, baselineSeconds);
        ThreadLocal<Connection> session = ThreadLocal.withInitial(() -> connect(admin.withDatabase("postgres")));
        Samples jdbcBaseline = drive(clients, 1, baselineSeconds, () -> resetAtLockWithJdbc(session.get(), mine.get()));
        result.put("baseline_jdbc_reset_at_lock_p50_ms", jdbcBaseline.percentile(0.50));
        result.put("baseline_jdbc_reset_at_lock_p99_ms", jdbcBaseline.percentile(0.99));

        log("raw DROP + CREATE FROM TEMPLATE, one session, %d s", baselineSeconds);
        Samples raw = drive(1, 1, baselineSeconds, () -> rawReset(session.get(), "bench_raw"));
        result.put("raw_reset_p50_ms", raw.percentile(0.50));
        result.put("raw_reset_per_s", round(raw.count() / (double) baselineSeconds));

        result.put("lock_p50_speedup_ratio", ratio(psqlBaseline.percentile(0.50), ours.percentile(0.50)));
        result.put("lock_p50_speedup_vs_jdbc_ratio", ratio(jdbcBaseline.percentile(0.50), ours.percentile(0.50)));
        result.put("cycles_vs_raw_reset_ratio", ratio(ours.count() / (double) durationSeconds, raw.count() / (double) baselineSeconds));
        return result;
    }

    /** One client cycle against lock-service; returns the lock latency in nanoseconds. */
    private long lockCycle() throws Exception {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(300_000);
            socket.getOutputStream().write(("GET /lock?marker=" + URLEncoder.encode("bench-" + Thread.currentThread().getName(),
                    StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String status = readLine(in);
            if (status == null || !status.contains(" 200 ")) {
                throw new IOException("lock failed: " + status);
            }
            boolean versioned = false;
            String header;
            while ((header = readLine(in)) != null && !header.isEmpty()) {
                versioned |= header.equalsIgnoreCase("X-PGFlock-Version: 2");
            }
            String url = readLine(in);
            long latency = System.nanoTime() - started;
            if (!versioned || url == null) {
                throw new IOException("not a pgflock v2 answer");
            }
            try (Connection db = connect(ConnectionDetails.parse(url)); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class")) {
                rs.next();
            }
            hold();
            return latency;
        }
    }

    /** pgflock's lock: reset the database at lock time, one psql process per statement. */
    private long resetAtLockWithPsql(String psql, String database) throws Exception {
        long started = System.nanoTime();
        for (String sql : resetStatements(database)) {
            ProcessBuilder command = new ProcessBuilder(psql, "-q", "-v", "ON_ERROR_STOP=1", "-h", admin.host(), "-p",
                    Integer.toString(admin.port()), "-U", admin.user(), "-d", "postgres", "-c", sql)
                    .redirectErrorStream(true);
            command.environment().put("PGPASSWORD", admin.password());
            Process p = command.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("psql failed: " + out.strip());
            }
        }
        created.add(database);
        long latency = System.nanoTime() - started;
        useBaselineDatabase(database);
        return latency;
    }

    /** The baseline client's cycle goes on as ours does: one query on the database, then the hold. */
    private void useBaselineDatabase(String database) throws Exception {
        try (Connection db = connect(admin.withDatabase(database)); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class")) {
            rs.next();
        }
        hold();
    }

    /** A test's work on its database. */
    private void hold() throws InterruptedException {
        if (holdMillis > 0) {
            Thread.sleep(holdMillis);
        }
    }

    private long resetAtLockWithJdbc(Connection session, String database) throws Exception {
        long started = System.nanoTime();
        try (Statement st = session.createStatement()) {
            for (String sql : resetStatements(database)) {
                st.execute(sql);
            }
        }
        created.add(database);
        long latency = System.nanoTime() - started;
        useBaselineDatabase(database);
        return latency;
    }

    private long rawReset(Connection session, String database) throws SQLException {
        long started = System.nanoTime();
        try (Statement st = session.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(database));
            st.execute("CREATE DATABASE " + Identifiers.quote(database) + " TEMPLATE " + TEMPLATE + " STRATEGY FILE_COPY");
        }
        created.add(database);
        return System.nanoTime() - started;
    }

    private List<String> resetStatements(String database) {
        String q = Identifiers.quote(database);
        return List.of(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + Identifiers.literal(database)
                        + " AND pid <> pg_backend_pid()",
                "DROP DATABASE IF EXISTS " + q,
                "CREATE DATABASE " + q + " TEMPLATE " + TEMPLATE,
                "ALTER DATABASE " + q + " OWNER TO " + Identifiers.quote(admin.user()),
                "ALTER DATABASE " + q + " WITH ALLOW_CONNECTIONS true");
    }

    @FunctionalInterface
    private interface Operation {
        long run() throws Exception;
    }

    /** Runs {@code threads} loops of {@code op}; samples taken after the warm-up, until the duration ends. */
    private Samples drive(int threads, int warmup, int duration, Operation op) throws InterruptedException {
        Samples samples = new Samples();
        long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long until = measureFrom + TimeUnit.SECONDS.toNanos(duration);
        CountDownLatch done = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < until) {
                        try {
                            long value = op.run();
                            long now = System.nanoTime();
                            if (now >= measureFrom && now < until) {
                                samples.values.add(value);
                            }
                        } catch (Exception e) {
                            if (samples.errors.incrementAndGet() <= 3) {
                                log("error: %s", e);
                            }
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "client-" + i);
            t.setDaemon(true);
            t.start();
        }
        done.await();
        return samples;
    }

    private static final class Samples {
        final ConcurrentLinkedQueue<Long> values = new ConcurrentLinkedQueue<>();
        final AtomicLong errors = new AtomicLong();

        int count() {
            return values.size();
        }

        double percentile(double q) {
            List<Long> sorted = new ArrayList<>(values);
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            int index = (int) Math.ceil(q * sorted.size()) - 1;
            return round(sorted.get(Math.max(0, index)) / 1_000_000.0);
        }
    }

    /** The instance behind the pool: lock one database and take its server and credentials. */
    private ConnectionDetails discoverInstance() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET /lock?marker=bench-setup&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String status = readLine(in);
            if (status == null || !status.contains(" 200 ")) {
                throw new IOException("cannot lock a database from lock-service on port " + port + ": " + status);
            }
            while (!readLine(in).isEmpty()) {
                // headers
            }
            return ConnectionDetails.parse(readLine(in));
        }
    }

    private String health(String field) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("GET /health-check HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String body = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return body.replaceAll("(?s).*\"" + field + "\":\\s*(\\d+).*", "$1");
        }
    }

    private void cleanUp() {
        if (admin == null || created.isEmpty()) {
            return;
        }
        List<String> toDrop = List.copyOf(new java.util.LinkedHashSet<>(created));
        created.clear();
        try (Connection c = connect(admin.withDatabase("postgres")); Statement st = c.createStatement()) {
            for (String db : toDrop) {
                st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(db) + " WITH (FORCE)");
            }
            log("dropped the benchmark's databases");
        } catch (Exception e) {
            log("cleanup failed: %s", e.getMessage());
        }
    }

    private static Connection connect(ConnectionDetails details) {
        try {
            return details.connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String query(ConnectionDetails details, String sql) throws SQLException {
        try (Connection c = connect(details); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
