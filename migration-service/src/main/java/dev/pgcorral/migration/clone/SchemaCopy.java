package dev.pgcorral.migration.clone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.migration.follow.SourceReplication;

/**
 * The schema of a clone, by PostgreSQL's own tools: one {@code pg_dump} archive taken in the clone's
 * snapshot with every table's data left out, restored in sections around the data copy: pre-data
 * (types, tables, functions, views) first; then its data section, which holds the large objects; then
 * post-data (indexes, constraints, triggers, rules) with parallel jobs once the rows are in. Owners and
 * privileges are not restored (the destination's roles may differ); subscriptions are not restored (they
 * would connect somewhere), nor is what migrations put on the source for their follow: the publications they made
 * for their slots, and the DDL capture (schema {@value SourceReplication#SCHEMA}, its functions, the event triggers
 * running them). That is the source's plumbing, not the user's: on the destination it would publish and capture under
 * a migration's name, and {@code FOR ALL TABLES} and event triggers need a superuser there. Passwords go to the
 * programs through their environment.
 */
final class SchemaCopy implements AutoCloseable {

    /** The catalog rows ({@code <catalog oid> <oid>}) of the plumbing: publications named in $1 with their tables, schema $2 with its functions and event triggers. */
    private static final String PLUMBING = "WITH p AS (SELECT oid FROM pg_publication WHERE pubname = ANY (?)),"
            + " n AS (SELECT oid FROM pg_namespace WHERE nspname = ?), f AS (SELECT oid FROM pg_proc WHERE pronamespace IN (SELECT oid FROM n))"
            + " SELECT 'pg_publication'::regclass::oid || ' ' || oid FROM p"
            + " UNION ALL SELECT 'pg_publication_rel'::regclass::oid || ' ' || oid FROM pg_publication_rel WHERE prpubid IN (SELECT oid FROM p)"
            + " UNION ALL SELECT 'pg_namespace'::regclass::oid || ' ' || oid FROM n"
            + " UNION ALL SELECT 'pg_proc'::regclass::oid || ' ' || oid FROM f"
            + " UNION ALL SELECT 'pg_event_trigger'::regclass::oid || ' ' || oid FROM pg_event_trigger WHERE evtfoid IN (SELECT oid FROM f)";

    private final PgTools tools;
    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final Path dir;
    private final Path archive;
    private Path list;

    SchemaCopy(PgTools tools, ConnectionDetails source, ConnectionDetails destination) throws IOException {
        this.tools = tools;
        this.source = source;
        this.destination = destination;
        this.dir = Files.createTempDirectory("pgcorral-clone");
        this.archive = dir.resolve("schema.dump");
    }

    /**
     * {@code pg_dump} of everything but table data, as of {@code snapshot}; {@code madePublications}: those migrations made
     * on the source, left out with the rest of the plumbing.
     */
    void dump(String snapshot, Set<String> madePublications) throws IOException, SQLException {
        tools.run("pg_dump", source, List.of("--format=custom", "--snapshot=" + snapshot, "--exclude-table-data=*.*",
                "--file=" + archive));
        leaveOut(snapshot, madePublications);
    }

    /**
     * Writes the archive's table of contents with the plumbing's entries commented out, for {@code --use-list}. Entries
     * are told by their catalog row ({@code <catalog oid> <oid>}), not by name, read as {@code pg_dump} saw them: in the
     * snapshot (a DDL trigger made again since has another oid).
     */
    private void leaveOut(String snapshot, Set<String> publications) throws IOException, SQLException {
        Set<String> rows = new HashSet<>();
        try (Connection c = source.connect()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshot));
            }
            readPlumbing(c, publications, rows);
            c.commit();
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

    private static void readPlumbing(Connection c, Set<String> publications, Set<String> rows) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(PLUMBING)) {
            st.setArray(1, c.createArrayOf("text", publications.toArray()));
            st.setString(2, SourceReplication.SCHEMA);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
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
