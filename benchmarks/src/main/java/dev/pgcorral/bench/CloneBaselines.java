package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * What a user would run instead of migration-service to clone a database: {@code pgcopydb clone} and
 * {@code pg_dump -Fd -j N} followed by {@code pg_restore -j N}. Each is a child process given URIs without
 * passwords; the passwords are in a private {@code .pgpass} ({@code PGPASSFILE}). Output goes to a log file
 * per program; a failure throws with its end. The program running is killed by {@link #destroy()}.
 */
final class CloneBaselines {

    static final String PGCOPYDB = "pgcopydb";
    private static final long LIMIT_MINUTES = 30;

    /** Wall seconds of a baseline and of its parts, and the CPU time its processes (and theirs) used. */
    record Timing(double seconds, Map<String, Double> parts, double cpuSeconds) {
    }

    private final PostgresBinaries binaries;
    private final Path work;
    private final Path pgpass;
    private volatile Process running;

    /** @param servers whose passwords go into the {@code .pgpass} in {@code work} */
    CloneBaselines(PostgresBinaries binaries, Path work, List<ConnectionDetails> servers) throws IOException {
        this.binaries = binaries;
        this.work = work;
        this.pgpass = work.resolve("pgpass");
        StringBuilder lines = new StringBuilder();
        for (ConnectionDetails server : servers) {
            lines.append(String.join(":", server.host(), Integer.toString(server.port()), "*", escape(server.user()),
                    escape(server.password()))).append('\n');
        }
        Files.createFile(pgpass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pgpass, lines, StandardCharsets.UTF_8);
    }

    /** {@code pgcopydb --version}'s first line, e.g. {@code pgcopydb version 0.10-1}; null when it cannot be run. */
    static String pgcopydbVersion() {
        try {
            Process p = new ProcessBuilder(PGCOPYDB, "--version").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out.lines().findFirst().orElse("").strip() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** {@code pgcopydb clone} with {@code jobs} table and index jobs, its work directory under ours. */
    Timing pgcopydb(ConnectionDetails source, ConnectionDetails target, int jobs) throws IOException, InterruptedException {
        Path dir = work.resolve("pgcopydb-" + target.database());
        double cpu = reapedChildrenCpuSeconds();
        long started = System.nanoTime();
        long ended;
        try {
            run("pgcopydb", List.of(PGCOPYDB, "clone", "--source", uri(source), "--target", uri(target),
                    "--table-jobs", Integer.toString(jobs), "--index-jobs", Integer.toString(jobs), "--dir", dir.toString()));
            ended = System.nanoTime();
        } finally {
            Reports.deleteTree(dir); // a later round starts anew (pgcopydb refuses a folder of a finished run)
        }
        return new Timing((ended - started) / 1e9, Map.of(), reapedChildrenCpuSeconds() - cpu);
    }

    /** {@code pg_dump -Fd -j N} into a folder of ours, then {@code pg_restore -j N} from it; the folder is removed after. */
    Timing dumpRestore(ConnectionDetails source, ConnectionDetails target, int jobs) throws IOException, InterruptedException {
        Path dump = work.resolve("dump-" + target.database());
        double cpu = reapedChildrenCpuSeconds();
        long started = System.nanoTime();
        long dumped;
        long restored;
        try {
            run("pg_dump", List.of(binaries.program("pg_dump").toString(), "-Fd", "-j", Integer.toString(jobs), "-f", dump.toString(),
                    "-d", uri(source)));
            dumped = System.nanoTime();
            run("pg_restore", List.of(binaries.program("pg_restore").toString(), "-j", Integer.toString(jobs), "--exit-on-error",
                    "-d", uri(target), dump.toString()));
            restored = System.nanoTime();
        } finally {
            Reports.deleteTree(dump);
        }
        double cpuSeconds = reapedChildrenCpuSeconds() - cpu;
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("dump_s", (dumped - started) / 1e9);
        parts.put("restore_s", (restored - dumped) / 1e9);
        return new Timing((restored - started) / 1e9, parts, cpuSeconds);
    }

    /** Kills the program running now, if any. */
    void destroy() {
        Process p = running;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void run(String name, List<String> command) throws IOException, InterruptedException {
        Path output = work.resolve(name + ".log");
        log("%s", String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Map<String, String> env = builder.environment();
        env.remove("PGPASSWORD");
        env.put("PGPASSFILE", pgpass.toString());
        env.put("PGAPPNAME", "bench-clone-" + name);
        env.put("TMPDIR", work.toString());
        Process p = builder.start();
        running = p;
        try {
            if (!p.waitFor(LIMIT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + LIMIT_MINUTES + " minutes; see " + output);
            }
        } finally {
            running = null;
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList();
            log("%s failed; its output ends with:%n  %s", name, String.join("\n  ", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            String last = lines.stream().filter(line -> line.contains("ERROR") || line.contains("FATAL")).reduce((a, b) -> b)
                    .orElse(lines.isEmpty() ? "" : lines.get(lines.size() - 1));
            throw new IllegalStateException(name + " failed with status " + p.exitValue() + ": " + last.strip());
        }
    }

    /** {@code postgres://user@host:port/database}: no password on a command line. */
    private static String uri(ConnectionDetails db) {
        return new ConnectionDetails(db.host(), db.port(), db.database(), db.user(), "").postgresUrl();
    }

    /** A {@code .pgpass} field: {@code :} and {@code \} escaped. */
    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    /**
     * CPU time (user + system) of this JVM's child processes that have ended and been waited for, with their own
     * children's: {@code cutime + cstime} in {@code /proc/self/stat}. Its growth over a baseline is what that
     * baseline's programs used (pg_dump's and pgcopydb's workers included); NaN where it cannot be read.
     */
    static double reapedChildrenCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
