package dev.pgcorral.replay.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Copies a source database, as an exported snapshot sees it, into an empty database: {@code pg_dump
 * --snapshot} then {@code pg_restore}. Passwords go through the children's environment, never their
 * command lines. Publications, subscriptions, replay-service's own schema and event triggers stay behind.
 */
public final class BaseCopy {

    private final PostgresBinaries binaries;

    public BaseCopy(PostgresBinaries binaries) {
        this.binaries = binaries;
    }

    public void copy(ConnectionDetails source, String snapshot, ConnectionDetails into) {
        for (String program : new String[] {"pg_dump", "pg_restore"}) {
            if (!Files.isExecutable(binaries.program(program))) {
                throw new IllegalStateException(program + " is not in " + binaries.binDir() + ": install PostgreSQL's client programs "
                        + "(Debian: postgresql-client) or point pgcorral.replay.embedded.bin-dir at a bin directory that has them");
            }
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pgcorral-replay-copy");
            Path dump = dir.resolve("base.dump");
            run(source, List.of(binaries.program("pg_dump").toString(), "--format=custom", "--snapshot=" + snapshot,
                    "--no-publications", "--no-subscriptions", "--exclude-schema=" + SourceSetup.SCHEMA,
                    "--file=" + dump, "--dbname=" + withoutPassword(source)), "pg_dump");
            Path all = dir.resolve("all.list");
            run(source, List.of(binaries.program("pg_restore").toString(), "--list", "--file=" + all, dump.toString()), "pg_restore --list");
            Path list = dir.resolve("restore.list");
            Files.writeString(list, Files.readString(all).lines()
                    .filter(line -> !(line.contains(" EVENT TRIGGER ") && line.contains(SourceSetup.TRIGGER_PREFIX)))
                    .collect(Collectors.joining("\n", "", "\n")));
            run(into, List.of(binaries.program("pg_restore").toString(), "--use-list=" + list, "--no-owner", "--no-privileges",
                    "--exit-on-error", "--dbname=" + withoutPassword(into), dump.toString()), "pg_restore");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " into " + into + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                FileSystemUtils.deleteRecursively(dir.toFile());
            }
        }
    }

    private static String withoutPassword(ConnectionDetails details) {
        return new ConnectionDetails(details.host(), details.port(), details.database(), details.user(), "").postgresUrl();
    }

    private static void run(ConnectionDetails login, List<String> command, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", login.password());
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }
}
