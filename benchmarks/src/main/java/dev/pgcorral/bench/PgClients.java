package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * The installed PostgreSQL's client programs a benchmark runs on one database ({@code pgbench},
 * {@code pg_recvlogical}), with the password only in their environment, never on a command line; the one
 * running is killed by {@link #destroy()}. Also the throwaway server and the one-statement SQL helpers the
 * benchmarks share.
 */
final class PgClients {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private final PostgresBinaries binaries;
    private final ConnectionDetails db;
    private final Path work;
    private final String application;
    private volatile Process running;

    /** @param work where their output files go; {@code application} names them in pg_stat_activity */
    PgClients(PostgresBinaries binaries, ConnectionDetails db, Path work, String application) {
        this.binaries = binaries;
        this.db = db;
        this.work = work;
        this.application = application;
    }

    /** A local server with throwaway settings and {@code wal_level = logical}, its data in a run folder of its own. */
    static LocalPostgres startLogicalServer(PostgresBinaries binaries, Path run, Map<String, String> extraSettings) {
        Map<String, String> settings = new HashMap<>(LocalPostgres.THROWAWAY_SETTINGS);
        settings.putAll(extraSettings);
        LocalPostgres.Options options = new LocalPostgres.Options(binaries, run.resolve("data"), false, 0,
                "127.0.0.1", "bench", UUID.randomUUID().toString(), settings, ServerAccount.resolve(null), null)
                .withLogicalReplication();
        LocalPostgres server = new LocalPostgres(options);
        log("starting PostgreSQL %s in %s", binaries.version(), run);
        server.start();
        return server;
    }

    /** Stops {@code server} and removes its run folder; either may be null. */
    static void stopServer(LocalPostgres server, Path run) {
        if (server != null) {
            server.stop();
        }
        if (run != null) {
            DataDirectories.release(run);
        }
    }

    /** pgbench's tps (without initial connection time) in its output; NaN when it is not there. */
    static double tps(String pgbenchOutput) {
        Matcher tps = TPS.matcher(pgbenchOutput);
        return tps.find() ? Double.parseDouble(tps.group(1)) : Double.NaN;
    }

    /** How a pgbench run ended: its exit status and its output. */
    record Pgbench(int status, String output) {
    }

    /** Runs pgbench on the database; its output goes to stderr and is returned. */
    String pgbench(List<String> arguments) throws IOException, InterruptedException {
        Pgbench run = pgbenchToItsEnd(arguments);
        if (run.status() != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", arguments) + " failed with status " + run.status());
        }
        return run.output();
    }

    /**
     * Runs pgbench on the database as {@link #pgbench} does, but a failure is returned rather than thrown: for a
     * load whose sessions are ended on purpose (pgbench then exits with status 2 after its summary).
     */
    Pgbench pgbenchToItsEnd(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binaries.program("pgbench").toString());
        command.addAll(arguments);
        command.add(db.database());
        Path output = work.resolve("pgbench.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        environment(builder);
        Process process = builder.start();
        running = process;
        int status;
        try {
            status = process.waitFor();
        } finally {
            running = null;
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        System.err.print(out.lines().map(line -> "  pgbench: " + line + "\n").reduce("", String::concat));
        return new Pgbench(status, out);
    }

    /**
     * Runs {@code pg_recvlogical --start} on {@code slot} (pgoutput protocol 1, logical messages on) up to
     * {@code endpos}, writing what it receives to {@code output}; checks it got there (exit status, its
     * {@code -v} output, the slot's confirmed position). Returns its wall-clock seconds.
     */
    double recvlogical(String slot, String publication, Lsn endpos, Path output) throws IOException, InterruptedException, SQLException {
        Path messages = work.resolve("pg_recvlogical-" + slot + ".log");
        ProcessBuilder builder = new ProcessBuilder(binaries.program("pg_recvlogical").toString(),
                "-d", db.database(), "--slot", slot, "--start",
                "-o", "proto_version=1", "-o", "publication_names=" + publication, "-o", "messages=true",
                "--endpos=" + endpos, "-f", output.toString(), "--no-loop", "-v")
                .redirectErrorStream(true).redirectOutput(messages.toFile());
        environment(builder);
        long started = System.nanoTime();
        Process process = builder.start();
        running = process;
        try {
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("pg_recvlogical did not reach " + endpos + " within 30 minutes");
            }
        } finally {
            running = null;
            process.destroyForcibly();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String log = Files.readString(messages, StandardCharsets.UTF_8);
        Lsn confirmed = new ReplicationSlots(db).find(slot).map(s -> s.confirmedFlushLsn()).orElse(Lsn.INVALID);
        if (process.exitValue() != 0 || !log.contains("end position " + endpos + " reached by WAL record")
                || confirmed.isBefore(endpos)) {
            throw new IllegalStateException("pg_recvlogical did not decode up to " + endpos + " (exit status "
                    + process.exitValue() + ", slot confirmed " + confirmed + "):\n" + log.strip());
        }
        return seconds;
    }

    /** Kills the program running now, if any. */
    void destroy() {
        Process process = running;
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** libpq's connection settings; the password only through PGPASSWORD, never on a command line. */
    private void environment(ProcessBuilder builder) {
        Map<String, String> env = builder.environment();
        env.put("PGHOST", db.host());
        env.put("PGPORT", Integer.toString(db.port()));
        env.put("PGUSER", db.user());
        env.put("PGPASSWORD", db.password());
        env.put("PGAPPNAME", application);
    }

    /** The first column of the first row, null for none. */
    static String query(ConnectionDetails details, String sql) throws SQLException {
        try (Connection c = details.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void execute(ConnectionDetails details, String sql) throws SQLException {
        try (Connection c = details.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
