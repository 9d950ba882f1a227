package dev.pgcorral.common.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A server whose JVM died keeps running; its pid is the first line of postmaster.pid. */
    private static void stopOrphanedServers(Path run) throws IOException {
        try (DirectoryStream<Path> dataDirs = Files.newDirectoryStream(run)) {
            for (Path dataDir : dataDirs) {
                Path pidFile = dataDir.resolve("postmaster.pid");
                if (Files.isReadable(pidFile)) {
                    String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
                    pidOf(first).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
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
