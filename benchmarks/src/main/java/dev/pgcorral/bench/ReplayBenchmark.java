package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.deleteTree;
import static dev.pgcorral.bench.Reports.log;
import static dev.pgcorral.bench.Reports.options;
import static dev.pgcorral.bench.Reports.round;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * replay-service measured against what a user would run instead, on one throwaway PostgreSQL server
 * (logical WAL) that holds the source database ({@code pgbench -i}), the target and replay-service's
 * metadata: its capture against {@code pg_recvlogical} over the same pgbench WAL ({@link CaptureRounds}),
 * then time travel: restores to a checkpoint's kept copy against a raw {@code CREATE DATABASE ... TEMPLATE},
 * and a restore to a commit with no copy, which applies the captured changes ({@link TimeTravelRuns}).
 * replay-service runs as a child JVM ({@link ReplayService}). Prints one JSON object on the last line of
 * stdout; progress goes to stderr. The child JVM, slots, the server and temp files go at the end, also
 * when interrupted.
 */
public final class ReplayBenchmark {

    static final String SOURCE_DB = "bench_source";
    static final String TARGET_DB = "bench_target";
    static final String METADATA_DB = "bench_meta";
    /** The role replay-service reads the source as: its logins can be refused to pause capture without stopping the JVM. */
    static final String CAPTURE_ROLE = "bench_capture";

    /** What the parts of the run share. */
    record Context(ReplayService service, ConnectionDetails admin, ConnectionDetails source, ConnectionDetails metadata,
                   PgClients programs, ServerCpu serverCpu, Path work, UUID session, String slot, String publication) {

        String sessionPath() {
            return "/api/v1/sessions/" + session;
        }

        /** replay-service's progress: {entries stored, commit position of the last transaction stored}. */
        long[] stored(Connection meta) throws SQLException {
            try (PreparedStatement st = meta.prepareStatement("SELECT entries, stored_lsn FROM replay.sessions WHERE id = ?")) {
                st.setObject(1, session);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("session " + session + " is not in replay.sessions");
                    }
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        }

        long entries() throws SQLException {
            try (Connection meta = metadata.connect()) {
                return stored(meta)[0];
            }
        }

        /** Waits until replay-service has stored the transaction of the message at {@code end}; returns its entries then. */
        long awaitStored(Lsn end, long sinceNanos) throws Exception {
            try (Connection meta = metadata.connect()) {
                long[] stored;
                while ((stored = stored(meta))[1] < end.value()) {
                    service.checkAlive();
                    Thread.sleep(20);
                    if (System.nanoTime() - sinceNanos > CaptureRounds.CAPTURE_LIMIT.toNanos()) {
                        throw new IllegalStateException("replay-service did not store up to " + end + " within "
                                + CaptureRounds.CAPTURE_LIMIT.toMinutes() + " min");
                    }
                }
                return stored[0];
            }
        }

        /** A transactional logical message on the source, in a transaction of its own after the workload; its position. */
        Lsn mark(String content) throws SQLException {
            return Lsn.parse(PgClients.query(source, "SELECT pg_logical_emit_message(true, 'bench-replay-end', '" + content + "')::text"));
        }
    }

    private final Workload workload;
    private final int restores;
    private final String pause;
    private final Path jar;
    private final Path work;
    private volatile Path serverRun;
    private volatile LocalPostgres server;
    private volatile PgClients programs;
    private volatile ReplayService service;

    private ReplayBenchmark(Map<String, String> args) throws Exception {
        this.workload = Workload.parse(args, 15, 5);
        this.restores = Reports.number(args, "restores", 10, 1);
        this.pause = args.getOrDefault("pause", "login");
        if (!pause.equals("login") && !pause.equals("restart")) {
            throw new IllegalArgumentException("--pause must be login or restart, was " + pause);
        }
        String jarPath = System.getenv("BENCH_REPLAY_JAR");
        this.jar = Path.of(jarPath == null || jarPath.isBlank() ? "replay-service/target/replay-service.jar" : jarPath).toAbsolutePath();
        this.work = Files.createTempDirectory("pgcorral-bench-replay-");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = options(argv, "--clients N --duration S --scale N --rounds N --warmup S --restores N --pause login|restart");
        ReplayBenchmark benchmark = new ReplayBenchmark(args);
        Reports.runAndPrint(benchmark::run, benchmark::cleanUp);
    }

    private Map<String, Object> run() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        serverRun = DataDirectories.forRun("bench-replay", null);
        server = PgClients.startLogicalServer(binaries, serverRun, Map.of());
        ConnectionDetails admin = server.connectionDetails("postgres");
        ConnectionDetails source = admin.withDatabase(SOURCE_DB);
        ConnectionDetails metadata = admin.withDatabase(METADATA_DB);
        PgClients.execute(admin, "CREATE DATABASE " + SOURCE_DB);
        PgClients.execute(admin, "CREATE DATABASE " + METADATA_DB);
        String capturePassword = UUID.randomUUID().toString();
        PgClients.execute(admin, "CREATE ROLE " + CAPTURE_ROLE + " LOGIN SUPERUSER REPLICATION PASSWORD '" + capturePassword + "'");
        ConnectionDetails captureSource = new ConnectionDetails(source.host(), source.port(), SOURCE_DB, CAPTURE_ROLE, capturePassword);
        programs = new PgClients(binaries, source, work, "bench-replay");
        log("pgbench -i -s %d in %s", workload.scale(), SOURCE_DB);
        programs.pgbench(List.of("-i", "-s", Integer.toString(workload.scale()), "-q"));
        long dataBytes = Long.parseLong(PgClients.query(source, "SELECT pg_database_size(current_database())"));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "replay");
        result.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        result.put("server", "one local PostgreSQL (LocalPostgres: fsync off, synchronous_commit off, wal_level logical, data on "
                + serverRun.getParent() + ") holding the source (" + SOURCE_DB + "), the target (" + TARGET_DB + ", its kept copies)"
                + " and replay-service's metadata (" + METADATA_DB + ")");
        workload.describe(result, PgClients.query(admin, "SHOW server_version"));
        result.put("pause", pause);
        result.put("data_mb", round(dataBytes / 1048576.0));

        service = new ReplayService(jar, work, captureSource, admin.withDatabase(TARGET_DB), metadata);
        log("starting replay-service (%s), log in %s", jar, service.logFile());
        service.start();
        service.awaitHealthy();
        long started = System.nanoTime();
        UUID session = UUID.fromString(service.post("/api/v1/sessions", Map.of("name", "bench")).path("id").asString());
        double sessionSeconds = (System.nanoTime() - started) / 1e9;
        // the session's slot and publication, both named pgcorral_replay_<12 hex>
        String[] names = PgClients.query(metadata, "SELECT slot || ' ' || publication FROM replay.sessions WHERE id = '" + session + "'")
                .split(" ");
        log("session %s created in %.1f s (slot %s, publication %s)", session, sessionSeconds, names[0], names[1]);
        result.put("session_create_s", round(sessionSeconds));
        Thread.sleep(1000); // let it settle: capture connected, nothing to store

        Context context = new Context(service, admin, source, metadata, programs, new ServerCpu(serverRun.resolve("data")), work,
                session, names[0], names[1]);
        CaptureRounds.Result capture = new CaptureRounds(context, workload, pause.equals("restart")).run();
        result.putAll(capture.json());
        result.putAll(new TimeTravelRuns(context, restores, capture.pgbenchChangesPerSecond()).run());
        return result;
    }

    /** Called once, at the end or from the shutdown hook: the programs, the child JVM, the server (its slots with it), temp files. */
    private void cleanUp() {
        PgClients running = programs;
        if (running != null) {
            running.destroy();
        }
        ReplayService replay = service;
        if (replay != null) {
            try {
                replay.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PgClients.stopServer(server, serverRun);
        deleteTree(work);
        log("cleaned up");
    }
}
