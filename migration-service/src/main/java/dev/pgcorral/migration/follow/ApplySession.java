package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.ReplicaIdentity;
import dev.pgcorral.common.logical.ReplicationMessage;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Truncate;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;

/**
 * Applies row changes to the destination on one connection, in one open transaction at a time, and
 * records in the same transaction how far it got: the migration's replication origin is advanced to the
 * last source commit applied ({@code pg_replication_origin_xact_setup}), so after any crash
 * {@link #flushed()} tells exactly where to resume, and a source change is never applied twice or lost. Unless the
 * destination has synchronous standbys, commits are asynchronous, as a subscription's are by default: the WAL of a
 * crashed destination takes back what it had not written, origin included.
 * Writes are marked with the origin (a stream back from the destination can leave them out) and, where
 * the user may, run with {@code session_replication_role = replica}, so the destination's triggers and
 * foreign-key checks do not fire a second time for rows the source already checked.
 * <p>Speed: where the order of changes to different tables cannot be seen (see {@link RowRuns}), a table's INSERTs,
 * and its UPDATEs that find their row by an unchanged key, wait in a run and are written by one statement per run.
 * Each shape of statement is prepared once per session ({@code PREPARE}); they go to the server
 * in batches of {@code EXECUTE}s, one round trip for up to {@value #BATCH} of them, their row counts
 * checked (an UPDATE or DELETE that finds no row is an {@link ApplyException}, and its transaction is not committed).
 * The destination checks them itself where the user may create a temporary function ({@link RowCheck}), so the
 * transaction's {@code BEGIN}, the origin's update and its {@code COMMIT} travel in the same batches: a destination
 * transaction costs one round trip; otherwise the {@code COMMIT} follows in a round trip of its own once the counts
 * are read. A {@link BatchSender} runs them: the parts of a large transaction while the next part is built, the batch
 * that commits on the caller's thread. The destination's catalog is read on a second connection. Called from one thread.
 */
final class ApplySession implements AutoCloseable {

    static final int BATCH = 500;
    /** A batch is sent once its statements hold this many characters, however few they are (large values). */
    static final long BATCH_CHARS = 4L << 20;
    private static final int MAX_PREPARED = 2000;
    private static final String ORIGIN_SHAPE = "origin";

    private final Connection connection;
    private final Connection catalog;
    private final String origin;
    private final TargetTables targets;
    private final boolean replicaRole;
    private final boolean serverChecksRows;
    /** Commits return before they are on disk: no synchronous standby waits on the destination. */
    private final boolean asynchronous;
    private final BatchSender sender;
    private List<String> sql = new ArrayList<>();
    private long sqlChars;
    private List<BatchSender.Entry> entries = new ArrayList<>();
    private final Map<String, String> prepared = new HashMap<>();
    private final RowRuns runs = new RowRuns();
    private int statementCounter;
    private boolean open;

    /**
     * Sets the session up on {@code connection} (the destination database): its origin created if needed and
     * taken for this session (waiting up to {@code originWait} for a session that still holds it to end, and saying so to
     * {@code trouble}; see {@link Origins#take}).
     * {@code catalog}, another connection to the destination, reads its tables' definitions and the origin.
     * {@code definitions}: the stream's definitions of relations so far in this run, kept by the caller across sessions
     * ({@link TargetTables}).
     */
    ApplySession(Connection connection, Connection catalog, String origin, java.time.Duration originWait, Consumer<String> trouble,
                 Map<Integer, Relation> definitions) throws SQLException, InterruptedException {
        this.connection = connection;
        this.catalog = catalog;
        this.origin = origin;
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            st.execute("SET standard_conforming_strings = on");
            st.execute("SET DateStyle = 'ISO, YMD'");
            st.execute("SET IntervalStyle = 'postgres'");
            st.execute("SET extra_float_digits = 3");
            st.execute("SET xmloption = content"); // the source's xml values may be fragments, whatever the destination's default
            try (ResultSet rs = st.executeQuery("SELECT current_setting('synchronous_standby_names') = ''")) {
                rs.next();
                this.asynchronous = rs.getBoolean(1);
            }
            if (asynchronous) {
                // as a subscription's apply by default: a commit returns before its WAL is on disk, and the source is told
                // only what flushed() reads as on disk (a crash takes back the commits it had not written)
                st.execute("SET synchronous_commit = off");
            } else {
                // synchronous standbys: the source is acknowledged once a commit returns, which must have waited for the
                // disk at least; a setting that waits for the standbys too is kept
                st.execute("SELECT set_config('synchronous_commit', 'local', false) WHERE current_setting('synchronous_commit') = 'off'");
            }
            boolean replica;
            try {
                st.execute("SET session_replication_role = replica");
                replica = true;
            } catch (SQLException notAllowed) {
                replica = false;
            }
            this.replicaRole = replica;
        }
        this.serverChecksRows = RowCheck.install(connection);
        Origins.take(connection, origin, originWait, trouble);
        // autocommit on: BEGIN and COMMIT are sent in the batches, so the driver adds no round trip of its own
        this.targets = new TargetTables(catalog, definitions);
        this.sender = new BatchSender(connection, origin);
    }

    /**
     * Whether a commit is on disk once it returns (the destination has synchronous standbys); else the apply commits
     * asynchronously and only {@link #flushed()} tells what is.
     */
    boolean durableOnCommit() {
        return !asynchronous;
    }

    /**
     * Where the destination stands: the end of the last source transaction it committed, its WAL flushed up to there
     * first; {@link Lsn#INVALID} before the first.
     */
    Lsn flushed() throws SQLException {
        return Origins.flushed(catalog, origin);
    }

    /** Whether triggers and foreign-key checks are off for the apply (the user may set {@code session_replication_role}). */
    boolean replicaRole() {
        return replicaRole;
    }

    /** The stream (re)defined a table: its destination side is looked up now. */
    void relation(Relation relation) throws SQLException {
        targets.define(relation);
    }

    /** The stream named a type of the source's own, which a relation it defines next uses. */
    void type(ReplicationMessage.Type type) {
        targets.sourceType(type.oid(), type.schema(), type.name());
    }

    void insert(Insert insert) throws SQLException {
        TargetTables.Target target = targets.of(insert.relation());
        if (inRuns(target) && allSent(insert.newRow())) {
            toRun(target, RowRuns.Kind.INSERT, insert, null);
            return;
        }
        writeRun(runs.take(target));
        add(target, ChangeStatements.insert(target, insert), "INSERT");
    }

    /**
     * An UPDATE. One that finds its row by an unchanged key and sends every column joins its table's run, where a later
     * UPDATE of the same row replaces it (hot rows, such as counters, cost one row per run), when the run's order
     * cannot be told: triggers and foreign keys off for the apply, no unique index but the key's.
     */
    void update(Update update) throws SQLException {
        TargetTables.Target target = targets.of(update.relation());
        if (foldable(target, update) && ChangeStatements.manyUpdatable(target)) {
            toRun(target, RowRuns.Kind.UPDATE, update, key(target, update.newRow()));
            return;
        }
        writeRun(runs.take(target));
        add(target, ChangeStatements.update(target, update), "UPDATE");
    }

    void delete(Delete delete) throws SQLException {
        TargetTables.Target target = targets.of(delete.relation());
        writeRun(runs.take(target));
        add(target, ChangeStatements.delete(target, delete), "DELETE");
    }

    /** Whether the table's changes may wait in runs: the order of changes to different tables cannot be seen. */
    private boolean inRuns(TargetTables.Target target) {
        return replicaRole && target.onlyKeyUnique();
    }

    private boolean foldable(TargetTables.Target target, Update update) {
        if (!inRuns(target) || update.oldKind() != ReplicationMessage.OldRow.NONE
                || update.relation().replicaIdentity() == ReplicaIdentity.FULL) {
            return false;
        }
        Row row = update.newRow();
        for (int i = 0; i < row.size(); i++) {
            if (target.columns().get(i).key() && row.isNull(i)) {
                return false;
            }
        }
        return allSent(row);
    }

    /** No column left out as an unchanged TOASTed value. */
    private static boolean allSent(Row row) {
        for (int i = 0; i < row.size(); i++) {
            if (row.isUnchangedToast(i)) {
                return false;
            }
        }
        return true;
    }

    private static String key(TargetTables.Target target, Row row) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            if (target.columns().get(i).key()) {
                key.append(row.text(i)).append('\u0000');
            }
        }
        return key.toString();
    }

    void truncate(Truncate truncate) throws SQLException {
        writeRuns(); // it may cascade to any table
        List<String> tables = new ArrayList<>();
        for (Relation relation : truncate.relations()) {
            tables.add(targets.of(relation).only()); // ONLY is per table: each one's own rows (a partitioned table's: its partitions')
        }
        String names = String.join(", ", tables);
        queue("TRUNCATE " + names + (truncate.restartIdentity() ? " RESTART IDENTITY" : "") + (truncate.cascade() ? " CASCADE" : ""),
                new BatchSender.Entry("TRUNCATE of " + truncate.relations().stream().map(Relation::qualifiedName)
                        .collect(Collectors.joining(", ")), -1));
    }

    /**
     * Commits what was applied, recording {@code sourceEnd} (a source Commit's end) and its commit time as
     * the origin's progress in the same transaction, and returns once the destination has committed; {@code committed}
     * runs then.
     */
    void commit(Lsn sourceEnd, Instant commitTime, Runnable committed) throws SQLException {
        writeRuns();
        queue("EXECUTE " + originStatement() + "(" + Identifiers.literal(sourceEnd.toString()) + ", "
                + Identifiers.literal(commitTime.toString()) + ")", new BatchSender.Entry("recording the origin's progress", -1));
        sql.add("COMMIT");
        entries.add(new BatchSender.Entry("COMMIT", -1));
        sender.sendLast(sql, entries, committed);
        sql = new ArrayList<>();
        entries = new ArrayList<>();
        sqlChars = 0;
        open = false;
    }

    /** Drops what this transaction applied (a stream resumed from an earlier position, or a failure). */
    void rollback() throws SQLException {
        try {
            sender.awaitSent();
        } catch (SQLException | RuntimeException e) {
            // what the batch in flight failed with goes with the transaction
        }
        sql = new ArrayList<>();
        entries = new ArrayList<>();
        sqlChars = 0;
        runs.clear();
        open = false;
        targets.clear();
        try (Statement st = connection.createStatement()) {
            st.execute("ROLLBACK"); // outside a transaction (its BEGIN not sent yet): a warning, nothing else
            st.execute("DEALLOCATE ALL"); // statements prepared in the rolled-back transaction need not have survived it
        }
        prepared.clear();
    }

    /** When the batch the destination works on now was sent ({@link System#nanoTime()}); 0 while none is. */
    long busySince() {
        return sender.busySince();
    }

    /** Throws what a batch sent earlier failed with, if it did already; never waits. */
    void check() throws SQLException {
        sender.check();
    }

    /** Sends what is queued, a part of the open transaction, after the part in flight. */
    private void flush() throws SQLException {
        sender.send(sql, entries);
        sql = new ArrayList<>();
        entries = new ArrayList<>();
        sqlChars = 0;
    }

    private void toRun(TargetTables.Target target, RowRuns.Kind kind, ReplicationMessage change, String key) throws SQLException {
        writeRun(runs.add(target, kind, change, key));
        writeRun(runs.takeIfFull(target));
    }

    private void writeRuns() throws SQLException {
        for (RowRuns.Run run : runs.takeAll()) {
            writeRun(run);
        }
    }

    /** Queues the statement that writes a run (none for null): a run of one row as that row's own statement. */
    private void writeRun(RowRuns.Run run) throws SQLException {
        if (run == null) {
            return;
        }
        if (run.size() == 1) {
            ReplicationMessage change = run.rows().iterator().next().change();
            add(run.target(), change instanceof Update u ? ChangeStatements.update(run.target(), u)
                    : ChangeStatements.insert(run.target(), (Insert) change), run.kind().name());
            return;
        }
        ChangeStatements.Change many = ChangeStatements.many(run);
        add(run.target(), many, run.kind() + " of " + run.size() + " rows");
    }

    /** Queues the change; its row count, if it has one to check, checked by the destination ({@link RowCheck}) where it can. */
    private void add(TargetTables.Target target, ChangeStatements.Change change, String operation) throws SQLException {
        boolean checked = serverChecksRows && change.expectedRows() >= 0;
        String name = prepare(target, change, checked);
        String what = operation + " on " + target.qualifiedName();
        queue(execute(name, change, checked ? RowCheck.arguments(change.expectedRows(), what) : null),
                new BatchSender.Entry(what, checked ? -1 : change.expectedRows()));
    }

    /** {@code EXECUTE name('value', NULL, …[, more])}. */
    private static String execute(String name, ChangeStatements.Change change, String more) {
        StringBuilder execute = new StringBuilder("EXECUTE ").append(name);
        if (!change.values().isEmpty() || more != null) {
            execute.append('(');
            for (int i = 0; i < change.values().size(); i++) {
                String value = change.values().get(i);
                execute.append(i == 0 ? "" : ", ").append(value == null ? "NULL" : Identifiers.literal(value));
            }
            if (more != null) {
                execute.append(change.values().isEmpty() ? "" : ", ").append(more);
            }
            execute.append(')');
        }
        return execute.toString();
    }

    private void queue(String statement, BatchSender.Entry entry) throws SQLException {
        if (!open) {
            sql.add("BEGIN");
            entries.add(new BatchSender.Entry("BEGIN", -1));
            open = true;
        }
        sql.add(statement);
        entries.add(entry);
        sqlChars += statement.length();
        if (sql.size() >= BATCH || sqlChars >= BATCH_CHARS) {
            flush();
        }
    }

    /**
     * The prepared statement that records the origin's progress in the open transaction. It takes a transaction id too,
     * so that the commit is logged and moves the origin even when nothing was written (an empty source transaction: a
     * switchover's sentinel, or changes left out). Its row is ignored: the batch reads row counts only.
     */
    private String originStatement() throws SQLException {
        String name = prepared.get(ORIGIN_SHAPE);
        if (name == null) {
            name = "pgcorral_origin_" + (++statementCounter);
            queue("PREPARE " + name + "(pg_lsn, timestamptz) AS SELECT pg_current_xact_id(), pg_replication_origin_xact_setup($1, $2)",
                    new BatchSender.Entry("preparing the origin's update", -1));
            prepared.put(ORIGIN_SHAPE, name);
        }
        return name;
    }

    /** The name of the prepared statement for the change's shape ({@code checked}: wrapped by {@link RowCheck}), prepared now if it is new. */
    private String prepare(TargetTables.Target target, ChangeStatements.Change change, boolean checked) throws SQLException {
        String key = target.version() + ":" + change.shape();
        String name = prepared.get(key);
        if (name != null) {
            return name;
        }
        if (prepared.size() >= MAX_PREPARED) {
            queue("DEALLOCATE ALL", new BatchSender.Entry("DEALLOCATE", -1));
            prepared.clear();
        }
        name = "pgcorral_" + (++statementCounter);
        String sql = checked ? RowCheck.wrap(change.sql().get(), change.values().size()) : change.sql().get();
        queue("PREPARE " + name + " AS " + sql, new BatchSender.Entry("preparing changes on " + target.qualifiedName(), -1));
        prepared.put(key, name);
        return name;
    }

    @Override
    public void close() {
        sender.close();
        try {
            connection.close();
            catalog.close();
        } catch (SQLException ignored) {
            // gone already: the origin is released with the session either way
        }
    }
}
