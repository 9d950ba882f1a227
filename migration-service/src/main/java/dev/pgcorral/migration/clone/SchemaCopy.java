package dev.pgcorral.migration.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The schema of a clone, by PostgreSQL's own tools: one {@code pg_dump} archive taken in the clone's
 * snapshot with every table's data left out, restored in sections around the data copy: pre-data
 * (types, tables, functions, views) first; then its data section, which holds the large objects; then
 * post-data (indexes, constraints, triggers, rules) with parallel jobs once the rows are in. Owners and
 * privileges are not restored (the destination's roles may differ); subscriptions are not restored (they
 * would connect somewhere), nor is the publication the migration made for its slot (the source's plumbing, not the
 * user's: on the destination it would publish under the migration's name, and {@code FOR ALL TABLES} needs a
 * superuser there). Passwords go to the programs through their environment.
 */
final class SchemaCopy implements AutoCloseable {

    private final PgTools tools;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final Path dir;
    private final Path archive;
    private final String leftOut;
    private Path list;

    /** @param leftOut the publication the migration made on the source, which the destination does not get; null: none */
    SchemaCopy(PgTools tools, ConnectionDetails source, ConnectionDetails destination, String leftOut) throws IOException {
        this.tools = tools;
        this.source = source;
        this.destination = destination;
        this.leftOut = leftOut;
        this.dir = Files.createTempDirectory("pgcorral-clone");
        this.archive = dir.resolve("schema.dump");
    }

    /** {@code pg_dump} of everything but table data, as of {@code snapshot}. */
    void dump(String snapshot) throws IOException, SQLException {
        tools.run("pg_dump", source, List.of("--format=custom", "--snapshot=" + snapshot, "--exclude-table-data=*.*",
                "--file=" + archive));
        if (leftOut != null) {
            leaveOut();
        }
    }

    /**
     * Writes the archive's table of contents with the entries of the publication left out commented out, for
     * {@code --use-list}. Entries are told by their catalog row ({@code <catalog oid> <oid>}), not by name.
     */
    private void leaveOut() throws IOException, SQLException {
        Set<String> rows = new HashSet<>();
        try (Connection c = source.connect();
             PreparedStatement st = c.prepareStatement("SELECT 'pg_publication'::regclass::oid || ' ' || p.oid FROM pg_publication p"
                     + " WHERE p.pubname = ? UNION ALL SELECT 'pg_publication_rel'::regclass::oid || ' ' || r.oid"
                     + " FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = ?")) {
            st.setString(1, leftOut);
            st.setString(2, leftOut);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        StringBuilder contents = new StringBuilder();
        for (String line : tools.output("pg_restore", null, List.of("--list", archive.toString())).split("\n")) {
            String[] fields = line.split(" ", 4); // "<dump id>; <catalog oid> <oid> <kind> …"
            boolean left = !line.startsWith(";") && fields.length == 4 && rows.contains(fields[1] + " " + fields[2]);
            contents.append(left ? "; left out: " : "").append(line).append('\n');
        }
        list = dir.resolve("restore.list");
        Files.writeString(list, contents);
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
        if (list != null) {
            args.add("--use-list=" + list);
        }
        args.add(archive.toString());
        tools.run("pg_restore", destination, args);
    }

    @Override
    public void close() {
        FileSystemUtils.deleteRecursively(dir.toFile());
    }
}
