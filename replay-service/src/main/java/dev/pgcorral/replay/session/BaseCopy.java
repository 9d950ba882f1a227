package dev.pgcorral.replay.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Copies a source database, as an exported snapshot sees it, into an empty database: {@code pg_dump
 * --snapshot} then {@code pg_restore}. Publications, subscriptions, replay-service's own schema and
 * event triggers stay behind.
 */
public final class BaseCopy {

    private final PgTools tools;

    public BaseCopy(PgTools tools) {
        this.tools = tools;
    }

    public void copy(ConnectionDetails source, String snapshot, ConnectionDetails into) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pgcorral-replay-copy");
            Path dump = dir.resolve("base.dump");
            tools.run("pg_dump", source, List.of("--format=custom", "--snapshot=" + snapshot, "--no-publications", "--no-subscriptions",
                    "--exclude-schema=" + SourceSetup.SCHEMA, "--file=" + dump));
            Path all = dir.resolve("all.list");
            tools.run("pg_restore", null, List.of("--list", "--file=" + all, dump.toString()));
            Path list = dir.resolve("restore.list");
            Files.writeString(list, Files.readString(all).lines()
                    .filter(line -> !(line.contains(" EVENT TRIGGER ") && line.contains(SourceSetup.TRIGGER_PREFIX)))
                    .collect(Collectors.joining("\n", "", "\n")));
            tools.run("pg_restore", into, List.of("--use-list=" + list, "--no-owner", "--no-privileges", "--exit-on-error", dump.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " into " + into + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                FileSystemUtils.deleteRecursively(dir.toFile());
            }
        }
    }
}
