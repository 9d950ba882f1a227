package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * A throwaway PostgreSQL for tests that run migration-service in a JVM of their own: a logical replication
 * source, with {@code pgbench} to fill a database and to load it. Skips the test (assumption) where pgbench
 * is not installed.
 */
public final class TestServer implements AutoCloseable {

    private static final String PASSWORD = "s3cret";

    /**
     * Settings under which the WAL of commits made with {@code synchronous_commit} off stays unwritten until something
     * flushes it (a WAL writer that waits 10 s), and nothing else writes WAL (no autovacuum; {@code wal_level} minimal,
     * without running-transactions records): a {@link #crash()} takes back exactly what was not flushed.
     */
    public static final Map<String, String> UNFLUSHED_UNTIL_ASKED = Map.of("wal_writer_delay", "10s", "autovacuum", "off",
            "wal_level", "minimal", "max_wal_senders", "0");

    private final Path dir;
    private final PostgresBinaries binaries;
    private final LocalPostgres server;

    public TestServer(Path dir) throws IOException {
        this(dir, Map.of());
    }

    /** A server with {@code settings} beside (and over) the throwaway ones. */
    public TestServer(Path dir, Map<String, String> settings) throws IOException {
        this.dir = dir;
        this.binaries = PostgresBinaries.locate(null);
        assumeTrue(Files.isExecutable(binaries.program("pgbench")), "pgbench is installed with the postgresql package");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.server = new LocalPostgres(new LocalPostgres.Options(binaries, dir.resolve("pg"), true, 0, "127.0.0.1", "postgres", PASSWORD,
                merged(settings), ServerAccount.resolve(null), Duration.ofSeconds(60)).withLogicalReplication());
        server.start();
    }

    /** Creates the databases. */
    public void create(String... databases) throws SQLException {
        for (String name : databases) {
            sql(database("postgres"), "CREATE DATABASE " + name);
        }
    }

    public ConnectionDetails database(String name) {
        return server.connectionDetails(name);
    }

    /** {@code pgbench -i -s scale} into the database. */
    public void pgbenchInit(String database, int scale) throws IOException, InterruptedException {
        Process init = pgbench(List.of("-i", "-s", Integer.toString(scale), "-q"), database, "pgbench-init.log");
        assertThat(init.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(init.exitValue()).as("pgbench -i, see " + dir.resolve("pgbench-init.log")).isZero();
    }

    /**
     * Starts {@code pgbench -c clients -j 2 -T seconds -R rate} on the database (at most {@code rate} transactions a second, so
     * that the load leaves the machine room for the rest of the test); destroy the process to end it early.
     */
    public Process pgbenchLoad(String database, int clients, int seconds, int rate) throws IOException {
        return pgbench(List.of("-c", Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-R", Integer.toString(rate), "-n"),
                database, "pgbench.log");
    }

    private Process pgbench(List<String> options, String database, String log) throws IOException {
        List<String> command = new ArrayList<>(List.of(binaries.program("pgbench").toString()));
        command.addAll(options);
        command.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(server.port()), "-U", "postgres", database));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile()));
        pb.environment().put("PGPASSWORD", PASSWORD);
        return pb.start();
    }

    private static Map<String, String> merged(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(LocalPostgres.THROWAWAY_SETTINGS);
        all.putAll(settings);
        return all;
    }

    public static void sql(ConnectionDetails db, String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    public static long count(ConnectionDetails db, String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Stops the server (fast shutdown, clients cut off); its data stays for {@link #start()}. */
    public void stop() {
        server.stop();
    }

    /**
     * Crashes the server as {@code pg_ctl stop -m immediate} does: SIGQUIT to the postmaster, which ends every server
     * process at once; what was not written out of its WAL buffers is lost. Returns once the postmaster is gone.
     */
    public void crash() throws Exception {
        long pid = Long.parseLong(Files.readAllLines(dir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        assertThat(new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).start().waitFor()).isZero();
        postmaster.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Starts it again, on the same port. */
    public void start() {
        server.start();
    }

    @Override
    public void close() {
        server.close();
    }
}
