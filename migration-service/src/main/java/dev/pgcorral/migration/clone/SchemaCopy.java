package dev.pgcorral.migration.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The schema of a clone, by PostgreSQL's own tools: one {@code pg_dump} archive taken in the clone's
 * snapshot with every table's data left out, restored in sections around the data copy: pre-data
 * (types, tables, functions, views) first; then its data section, which holds the large objects; then
 * post-data (indexes, constraints, triggers, rules) with parallel jobs once the rows are in. Owners and
 * privileges are not restored (the destination's roles may differ); subscriptions are not restored (they
 * would connect somewhere). Passwords go to the programs through their environment.
 */
final class SchemaCopy implements AutoCloseable {

    private final PgTools tools;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final Path dir;
    private final Path archive;

    SchemaCopy(PgTools tools, ConnectionDetails source, ConnectionDetails destination) throws IOException {
        this.tools = tools;
        this.source = source;
        this.destination = destination;
        this.dir = Files.createTempDirectory("pgcorral-clone");
        this.archive = dir.resolve("schema.dump");
    }

    /** {@code pg_dump} of everything but table data, as of {@code snapshot}. */
    void dump(String snapshot) throws IOException {
        tools.run("pg_dump", source, List.of("--format=custom", "--snapshot=" + snapshot, "--exclude-table-data=*.*",
                "--file=" + archive));
    }

    void restorePreData() throws IOException {
        restore("pre-data", 1);
    }

    /** The archive's data section: with every table's data excluded, the large objects. */
    void restoreLargeObjects() throws IOException {
        restore("data", 1);
    }

    void restorePostData(int jobs) throws IOException {
        restore("post-data", jobs);
    }

    private void restore(String section, int jobs) throws IOException {
        List<String> args = new ArrayList<>(List.of("--section=" + section, "--no-owner", "--no-privileges", "--no-subscriptions",
                "--exit-on-error"));
        if (jobs > 1) {
            args.add("--jobs=" + jobs);
        }
        args.add(archive.toString());
        tools.run("pg_restore", destination, args);
    }

    @Override
    public void close() {
        FileSystemUtils.deleteRecursively(dir.toFile());
    }
}
