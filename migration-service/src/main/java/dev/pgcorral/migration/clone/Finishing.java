package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Transactions;

/**
 * What a clone does once rows and indexes are in: every sequence set to the source's value, the
 * materialized views that are populated on the source refreshed (not copied), statistics gathered.
 */
public final class Finishing {

    /** A sequence's position: {@code setval(name, value, called)}. */
    public record SequenceValue(String schema, String name, long value, boolean called) {
    }

    private record MaterializedView(String schema, String name) {
        String qualified() {
            return Identifiers.quote(schema) + "." + Identifiers.quote(name);
        }
    }

    private Finishing() {
    }

    /** The user sequences of {@code db} (schema, name; not those an extension owns), read from the catalog alone: none is locked. */
    public static List<String[]> sequenceNames(Connection db) throws SQLException {
        List<String[]> names = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname NOT LIKE 'pg\\_%' "
                + "AND n.nspname <> 'information_schema' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
                + "AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2")) {
            while (rs.next()) {
                names.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return names;
    }

    /** The source's sequences (not those an extension owns) and their positions, read on {@code source}. */
    public static List<SequenceValue> sequences(Connection source) throws SQLException {
        List<String[]> names = sequenceNames(source);
        List<SequenceValue> values = new ArrayList<>();
        try (Statement st = source.createStatement()) {
            for (String[] n : names) {
                try (ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + Identifiers.quote(n[0]) + "." + Identifiers.quote(n[1]))) {
                    rs.next();
                    values.add(new SequenceValue(n[0], n[1], rs.getLong(1), rs.getBoolean(2)));
                }
            }
        }
        return values;
    }

    public static void setSequences(Connection destination, List<SequenceValue> values) throws SQLException {
        try (PreparedStatement st = destination.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
            for (SequenceValue v : values) {
                st.setString(1, Identifiers.quote(v.schema()) + "." + Identifiers.quote(v.name()));
                st.setLong(2, v.value());
                st.setBoolean(3, v.called());
                st.execute();
            }
        }
    }

    /**
     * Refreshes on the destination the materialized views populated on the source; one that reads another
     * not refreshed yet fails and is tried again after the others, until a round makes no progress.
     */
    static int refreshMaterializedViews(Connection source, Connection destination) throws SQLException {
        List<MaterializedView> pending = new ArrayList<>();
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT schemaname, matviewname FROM pg_matviews WHERE ispopulated ORDER BY 1, 2")) {
            while (rs.next()) {
                pending.add(new MaterializedView(rs.getString(1), rs.getString(2)));
            }
        }
        int refreshed = 0;
        boolean auto = destination.getAutoCommit();
        destination.setAutoCommit(true);
        try (Statement st = destination.createStatement()) {
            while (!pending.isEmpty()) {
                List<MaterializedView> failed = new ArrayList<>();
                SQLException last = null;
                for (MaterializedView view : pending) {
                    try {
                        st.execute("REFRESH MATERIALIZED VIEW " + view.qualified());
                        refreshed++;
                    } catch (SQLException e) {
                        failed.add(view);
                        last = e;
                    }
                }
                if (failed.size() == pending.size()) {
                    throw new SQLException("cannot refresh materialized view " + failed.get(0).qualified() + ": " + last.getMessage(),
                            last.getSQLState(), last);
                }
                pending = failed;
            }
        } finally {
            destination.setAutoCommit(auto);
        }
        return refreshed;
    }

    /**
     * Makes sure what the clone committed on the destination is on disk before the clone is reported done. Its copy
     * sessions commit with {@code synchronous_commit} off, and so does every session of a destination that runs with it
     * off (the embedded server does): a crash there could lose the rows of a clone already reported complete, which
     * the follow would never send again. This commits one transaction that writes WAL (a transactional logical
     * message: any user may emit one, and it changes no table) with {@code synchronous_commit} at least {@code local}:
     * its commit flushes the WAL of every commit before it.
     */
    static void flush(Connection destination) throws SQLException {
        Transactions.run(destination, st -> {
            st.execute("SELECT set_config('synchronous_commit', 'local', true) WHERE current_setting('synchronous_commit') = 'off'");
            st.execute("SELECT pg_logical_emit_message(true, 'pgcorral.clone', 'on disk')");
        });
    }

    /** {@code ANALYZE} of every copied table, {@code jobs} at a time. */
    static void analyze(ConnectionDetails destination, List<SourceTable> tables, int jobs) throws Exception {
        ConcurrentLinkedQueue<SourceTable> queue = new ConcurrentLinkedQueue<>(tables);
        int workers = Math.max(1, Math.min(jobs, tables.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                done.add(pool.submit(() -> {
                    try (Connection c = destination.connect(); Statement st = c.createStatement()) {
                        SourceTable t;
                        while ((t = queue.poll()) != null) {
                            st.execute("ANALYZE " + t.qualifiedName());
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
