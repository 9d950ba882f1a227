package dev.pgcorral.common.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where throwaway data directories live: {@code /dev/shm/pgcorral} (tmpfs: fast, no disk wear) when
 * it can be used, else the temp directory. Each run gets its own folder named after the JVM's pid,
 * and folders left by runs whose JVM is gone (a crash, a kill -9) are removed so tmpfs does not fill up.
 */
public final class DataDirectories {

    private static final Logger log = LoggerFactory.getLogger(DataDirectories.class);
    private static final Path SHM = Path.of("/dev/shm");

    private DataDirectories() {
    }

    private static final AtomicInteger RUNS = new AtomicInteger();

    /**
     * A fresh folder for this run, e.g. {@code /dev/shm/pgcorral/lock-1234-1} (purpose, JVM pid, a
     * counter: several pools may run in one JVM); folders of JVMs that are gone are removed.
     */
    public static Path forRun(String purpose, Path configuredBase) {
        Path base = configuredBase != null ? configuredBase : defaultBase();
        try {
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            removeStale(base, purpose);
            Path dir = base.resolve(purpose + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet());
            LocalPostgres.deleteTree(dir);
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory under " + base, e);
        }
    }

    /**
     * For a data directory kept across restarts (an embedded server's): creates its missing parent folders with
     * {@code rwxr-xr-x}, so the unprivileged account the server runs as gets through to it.
     */
    public static void prepareParents(Path dataDir) {
        Path parent = dataDir.toAbsolutePath().getParent();
        try {
            if (parent != null && !Files.exists(parent)) {
                Files.createDirectories(parent, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + parent + " for the embedded PostgreSQL", e);
        }
    }

    /** Removes a run's folder, and all in it, when the run ends. */
    public static void release(Path run) {
        LocalPostgres.deleteTree(run);
    }

    static Path defaultBase() {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return SHM.resolve("pgcorral");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "pgcorral");
    }

    private static void removeStale(Path base, String purpose) throws IOException {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(base, purpose + "-*")) {
            for (Path run : runs) {
                String rest = run.getFileName().toString().substring(purpose.length() + 1);
                Optional<Long> pid = pidOf(rest.contains("-") ? rest.substring(0, rest.indexOf('-')) : rest);
                if (pid.isPresent() && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                if (pid.isPresent()) {
                    log.info("removing data left by an earlier run: {}", run);
                    stopOrphanedServers(run);
                    LocalPostgres.deleteTree(run);
                }
            }
        }
    }

    /**
     * A server whose JVM died may keep running (where no parent-death signal could be set); its pid is
     * the first line of postmaster.pid. That pid is killed only when it still is the postmaster of that
     * data directory: the pid may since have been reused by any process.
     */
    private static void stopOrphanedServers(Path run) throws IOException {
        try (DirectoryStream<Path> dataDirs = Files.newDirectoryStream(run)) {
            for (Path dataDir : dataDirs) {
                Path pidFile = dataDir.resolve("postmaster.pid");
                if (!Files.isReadable(pidFile)) {
                    continue;
                }
                String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
                Optional<ProcessHandle> process = pidOf(first).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
                if (process.isEmpty()) {
                    continue;
                }
                if (!isPostmasterOf(process.get().pid(), dataDir)) {
                    log.info("{} names pid {}, which is not the postmaster of {}: left alone", pidFile, first, dataDir);
                    continue;
                }
                log.info("stopping PostgreSQL (pid {}) left running in {}", first, dataDir);
                process.get().destroyForcibly();
                try {
                    process.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    log.warn("PostgreSQL (pid {}) in {} did not exit after SIGKILL", first, dataDir);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Whether {@code pid} is a {@code postgres} program serving {@code dataDir}: its working directory
     * (the postmaster changes into its data directory) or its {@code -D} argument is that directory.
     * Read from {@code /proc}; where there is none, nothing is ever killed.
     */
    static boolean isPostmasterOf(long pid, Path dataDir) {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<String> args = commandLine(proc);
        if (args.isEmpty() || !isPostgresProgram(proc, args.get(0))) {
            return false;
        }
        Path expected = realPath(dataDir);
        try {
            if (realPath(Files.readSymbolicLink(proc.resolve("cwd"))).equals(expected)) {
                return true;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not readable for us: the command line decides
        }
        int d = args.indexOf("-D");
        return d >= 0 && d + 1 < args.size() && realPath(Path.of(args.get(d + 1))).equals(expected);
    }

    private static boolean isPostgresProgram(Path proc, String argv0) {
        try {
            String exe = Files.readSymbolicLink(proc.resolve("exe")).getFileName().toString();
            return exe.equals("postgres") || exe.equals("postgres (deleted)");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Path program = Path.of(argv0).getFileName();
            return program != null && program.toString().equals("postgres");
        }
    }

    /** The arguments in {@code /proc/<pid>/cmdline}, empty when there is none. */
    private static List<String> commandLine(Path proc) {
        try {
            String raw = new String(Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
            return raw.isEmpty() ? List.of() : List.of(raw.split("\u0000"));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /**
     * Refuses a data directory that a live PostgreSQL already runs on (its {@code postmaster.pid} names a running
     * {@code postgres}): a second server there would exit at once, while connections to the port reached the first one,
     * so a start would seem to succeed and a watcher restart it without end. An unreadable or stale pid file is left to
     * PostgreSQL, which handles those itself.
     *
     * @throws IllegalStateException naming the directory and the process
     */
    static void refuseIfInUse(Path dataDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        } catch (IOException e) {
            return; // none (the usual case), or not ours to read
        }
        Optional<ProcessHandle> server = lines.stream().findFirst().flatMap(line -> pidOf(line.strip())).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().or(() -> h.info().command()).map(c -> c.contains("postgres")).orElse(false));
        server.ifPresent(h -> {
            throw new DataDirectoryInUseException("the data directory " + dataDir + " is in use by a running PostgreSQL (pid " + h.pid()
                    + "): another process, say another instance of this service, runs a server on it; stop that one, or give this "
                    + "one a data directory of its own");
        });
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    private static Optional<Long> pidOf(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
