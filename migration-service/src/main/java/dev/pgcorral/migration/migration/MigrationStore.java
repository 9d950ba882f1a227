package dev.pgcorral.migration.migration;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.clone.CloneProgress;
import dev.pgcorral.migration.clone.TableProgress;
import dev.pgcorral.migration.follow.Switchover;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Migrations in {@code migration.migrations}, and the tables and phases their last run left. */
public final class MigrationStore {

    /** A finished table as stored. */
    public record StoredTable(String schema, String name, String status, long rowsTotal, long rowsCopied, long sizeBytes,
                              long bytesCopied, double percent, double elapsedSeconds) {
    }

    /**
     * What a followed migration left to resume on: where its slot's stream begins ({@code consistentLsn}, null
     * when it has no slot), whether the destination holds the finished clone, whether the publication is ours.
     */
    public record FollowState(Lsn consistentLsn, boolean cloneCompleted, boolean publicationCreated, Lsn switchoverLsn,
                              Long switchoverDowntimeMillis, Lsn ddlStopLsn, boolean originOwned, boolean ownSlotDropped,
                              Instant confirmedCommitTime) {
    }

    /** Which sides a switchover cut off by a restart left read-only and still wait for their writes. */
    public record WritesOwed(boolean source, boolean destination) {
        static final WritesOwed NONE = new WritesOwed(false, false);

        boolean any() {
            return source || destination;
        }
    }

    /** Log lines kept per migration. */
    static final int KEPT_LOG_LINES = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    public MigrationStore(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Keeps a log line of the migration's run, and only the last {@value #KEPT_LOG_LINES} of the migration. */
    void keepLog(String id, CloneProgress.LogEntry line) {
        jdbc.sql("INSERT INTO migration.migration_logs (migration_id, at, level, message, fields) VALUES (?, ?, ?, ?, ?::jsonb)")
                .params(id, Timestamp.from(line.time()), line.level(), line.message(), JSON.writeValueAsString(line.fields())).update();
        jdbc.sql("DELETE FROM migration.migration_logs WHERE migration_id = ? AND seq <= (SELECT seq FROM migration.migration_logs "
                + "WHERE migration_id = ? ORDER BY seq DESC OFFSET ? LIMIT 1)").params(id, id, KEPT_LOG_LINES).update();
    }

    /** The migration's last {@code count} log lines, of every run, oldest first. */
    List<CloneProgress.LogEntry> logs(String id, int count) {
        return jdbc.sql("SELECT at, level, message, fields::text FROM (SELECT * FROM migration.migration_logs WHERE migration_id = ? "
                        + "ORDER BY seq DESC LIMIT ?) last ORDER BY seq").params(id, count)
                .query((rs, i) -> new CloneProgress.LogEntry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        JSON.readValue(rs.getString(4), new TypeReference<java.util.Map<String, String>>() { })))
                .list();
    }

    /** @return false when the id is taken */
    public boolean insert(Migration m) {
        try {
            jdbc.sql("INSERT INTO migration.migrations (id, name, source_cluster_id, dest_cluster_id, source_node_id, dest_node_id, mode, "
                            + "fallback, status, slot_name, publication, copy_workers, created_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(m.id(), m.name(), m.sourceClusterId(), m.destClusterId(), m.sourceNodeId(), m.destNodeId(), m.mode().wire(),
                            m.fallback(), m.status().wire(), m.slotName(), m.publication(), m.copyWorkers(), Timestamp.from(m.createdAt()),
                            Timestamp.from(m.updatedAt()))
                    .update();
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public Optional<Migration> find(String id) {
        return jdbc.sql("SELECT * FROM migration.migrations WHERE id = ?").param(id).query(MigrationStore::map).optional();
    }

    /** Newest first. */
    public List<Migration> list() {
        return jdbc.sql("SELECT * FROM migration.migrations ORDER BY created_at DESC, id").query(MigrationStore::map).list();
    }

    /** The id of a migration that uses the cluster, if any. */
    public Optional<String> usingCluster(String clusterId) {
        return jdbc.sql("SELECT id FROM migration.migrations WHERE source_cluster_id = ? OR dest_cluster_id = ? ORDER BY id LIMIT 1")
                .params(clusterId, clusterId).query(String.class).optional();
    }

    /** A migration that uses a node of {@code clusterId} (as its source or destination) other than {@code kept}. */
    public Optional<String> usingNodeBesides(String clusterId, java.util.Collection<String> kept) {
        String[] nodes = kept.toArray(String[]::new);
        return jdbc.sql("SELECT id FROM migration.migrations WHERE (source_cluster_id = ? AND NOT (source_node_id = ANY (?))) "
                        + "OR (dest_cluster_id = ? AND NOT (dest_node_id = ANY (?))) ORDER BY id LIMIT 1")
                .params(clusterId, nodes, clusterId, nodes).query(String.class).optional();
    }

    public boolean delete(String id) {
        return jdbc.sql("DELETE FROM migration.migrations WHERE id = ?").param(id).update() > 0;
    }

    /**
     * A run starts: running / initializing, {@code started_at} now, the last run's outcome forgotten. What a clone
     * recorded stays until a new clone begins ({@link #cloneStarting}): a run that follows on shows it.
     */
    public void started(String id) {
        jdbc.sql("UPDATE migration.migrations SET status = 'running', phase = 'initializing', error_message = '', started_at = now(), "
                + "finished_at = NULL, switchover_lsn = NULL, switchover_downtime_ms = NULL, updated_at = now() WHERE id = ?").param(id).update();
    }

    /** A clone begins (or a run with none, {@code follow_only}): what an earlier clone recorded is forgotten. */
    public void cloneStarting(String id) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("UPDATE migration.migrations SET tables_total = 0, tables_copied = 0, rows_copied = 0, bytes_copied = 0, "
                    + "updated_at = now() WHERE id = ?").param(id).update();
            record(id, List.of(), List.of());
        });
    }

    public void phase(String id, String phase, CloneProgress progress) {
        jdbc.sql("UPDATE migration.migrations SET phase = ?, tables_total = ?, tables_copied = ?, rows_copied = ?, bytes_copied = ?, "
                        + "updated_at = now() WHERE id = ?")
                .params(phase, progress.tables().size(), progress.tablesCopied(), progress.rowsCopied(), progress.bytesCopied(), id).update();
    }

    public void destinationWritten(String id) {
        jdbc.sql("UPDATE migration.migrations SET dest_written = true, updated_at = now() WHERE id = ?").param(id).update();
    }

    /** What the clone made in the destination, by OID (see {@code CloneRun.Listener#destinationMade}); null: not known. */
    public void destinationMade(String id, List<Long> objects) {
        jdbc.sql("UPDATE migration.migrations SET dest_made = ?, updated_at = now() WHERE id = ?")
                .params(objects == null ? null : objects.toArray(Long[]::new), id).update();
    }

    /** What {@link #destinationMade(String, List)} recorded; null when nothing is. */
    public Set<Long> destinationMade(String id) {
        return jdbc.sql("SELECT dest_made FROM migration.migrations WHERE id = ?").param(id)
                .query((rs, n) -> {
                    java.sql.Array made = rs.getArray(1);
                    return made == null ? null : Set.<Long>copyOf(java.util.Arrays.asList((Long[]) made.getArray()));
                }).optional().orElse(null);
    }

    /** A run ended: its outcome and what it leaves to show (tables, phases) in one transaction. */
    public void finished(String id, Migration.Status status, String phase, String error, CloneProgress progress) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("UPDATE migration.migrations SET status = ?, phase = ?, error_message = ?, finished_at = now(), tables_total = ?, "
                            + "tables_copied = ?, rows_copied = ?, bytes_copied = ?, updated_at = now() "
                            + "WHERE id = ?")
                    .params(status.wire(), phase, error == null ? "" : error, progress.tables().size(), progress.tablesCopied(),
                            progress.rowsCopied(), progress.bytesCopied(), id).update();
            record(id, progress.tables(), progress.phases());
        });
    }

    /**
     * A followed migration's clone completed: the destination holds it, and its tables, counts and phases are recorded
     * (a run that follows on, even after the process was killed, shows them).
     */
    public void cloneCompleted(String id, CloneProgress clone) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("UPDATE migration.migrations SET clone_completed = true, tables_total = ?, tables_copied = ?, rows_copied = ?, "
                            + "bytes_copied = ?, updated_at = now() WHERE id = ?")
                    .params(clone.tables().size(), clone.tablesCopied(), clone.rowsCopied(), clone.bytesCopied(), id).update();
            // the clone's last phase ends here: a run that follows on later starts from these, not from its own start
            Instant now = Instant.now();
            record(id, clone.tables(), clone.phases().stream()
                    .map(p -> p.endedAt() == null ? new CloneProgress.Phase(p.phase(), p.startedAt(), now) : p).toList());
        });
    }

    /** Replaces the recorded tables and phases. */
    private void record(String id, List<TableProgress> tables, List<CloneProgress.Phase> phases) {
        jdbc.sql("DELETE FROM migration.migration_tables WHERE migration_id = ?").param(id).update();
        jdbc.sql("DELETE FROM migration.migration_phases WHERE migration_id = ?").param(id).update();
        int position = 0;
        for (TableProgress t : tables) {
            jdbc.sql("INSERT INTO migration.migration_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(id, position++, t.schema(), t.name(), t.status().name().toLowerCase(java.util.Locale.ROOT), t.rowsTotal(),
                            t.rowsCopied(), t.sizeBytes(), t.bytesCopied(), t.percent(), t.elapsedSeconds()).update();
        }
        position = 0;
        for (CloneProgress.Phase p : phases) {
            jdbc.sql("INSERT INTO migration.migration_phases VALUES (?, ?, ?, ?, ?)")
                    .params(id, position++, p.phase(), Timestamp.from(p.startedAt()), p.endedAt() == null ? null : Timestamp.from(p.endedAt()))
                    .update();
        }
    }

    /** The source's table definitions kept for the migration's follow
     * ({@link dev.pgcorral.migration.follow.KnownDefinitions}), by their OIDs there. */
    public Map<Integer, Relation> sourceDefinitions(String id) {
        Map<Integer, Relation> kept = new HashMap<>();
        jdbc.sql("SELECT relid, definition::text FROM migration.source_definitions WHERE migration_id = ?").param(id)
                .query((ResultSet rs) -> {
                    kept.put((int) rs.getLong(1), JSON.readValue(rs.getString(2), Relation.class));
                });
        return kept;
    }

    /** Keeps these definitions, in place of those kept for the same tables. */
    public void keepSourceDefinitions(String id, Collection<Relation> relations) {
        tx.executeWithoutResult(s -> relations.forEach(r -> jdbc.sql("INSERT INTO migration.source_definitions VALUES (?, ?, ?::jsonb) "
                        + "ON CONFLICT (migration_id, relid) DO UPDATE SET definition = excluded.definition")
                .params(id, Integer.toUnsignedLong(r.id()), JSON.writeValueAsString(r)).update()));
    }

    /** Replaces every definition kept (a clone completed: its snapshot's). */
    public void replaceSourceDefinitions(String id, Collection<Relation> relations) {
        tx.executeWithoutResult(s -> {
            jdbc.sql("DELETE FROM migration.source_definitions WHERE migration_id = ?").param(id).update();
            keepSourceDefinitions(id, relations);
        });
    }

    public FollowState followState(String id) {
        return jdbc.sql("SELECT consistent_lsn, clone_completed, publication_created, switchover_lsn, switchover_downtime_ms, ddl_stop_lsn, "
                        + "origin_owned, own_slot_dropped, confirmed_commit_time FROM migration.migrations WHERE id = ?").param(id)
                .query((rs, n) -> new FollowState(lsn(rs, 1), rs.getBoolean(2), rs.getBoolean(3), lsn(rs, 4), rs.getObject(5, Long.class),
                        lsn(rs, 6), rs.getBoolean(7), rs.getBoolean(8), instant(rs, "confirmed_commit_time")))
                .optional().orElse(new FollowState(null, false, false, null, null, null, false, false, null));
    }

    /** A slot was created for the clone: the follow begins at {@code consistentLsn} once the clone completes. */
    public void slotCreated(String id, Lsn consistentLsn, boolean publicationCreated) {
        jdbc.sql("UPDATE migration.migrations SET consistent_lsn = ?, clone_completed = false, publication_created = ?, confirmed_lsn = NULL, "
                + "confirmed_commit_time = NULL, ddl_stop_lsn = NULL, origin_owned = true, "
                + "updated_at = now() WHERE id = ?").params(consistentLsn.value(), publicationCreated, id).update();
    }

    /** Whether the origin on the destination holds this migration's progress (see {@code V4__origin_owned.sql}). */
    public void originOwned(String id, boolean owned) {
        jdbc.sql("UPDATE migration.migrations SET origin_owned = ?, updated_at = now() WHERE id = ?").params(owned, id).update();
    }

    /**
     * The publications that migrations made on their sources and have not dropped (by name: a source registered twice
     * is the same server).
     */
    public Set<String> publicationsMade() {
        return Set.copyOf(jdbc.sql("SELECT DISTINCT publication FROM migration.migrations WHERE publication_created")
                .query(String.class).list());
    }

    /** The slot and publication were dropped: a later start clones again. */
    public void slotRemoved(String id) {
        jdbc.sql("UPDATE migration.migrations SET consistent_lsn = NULL, clone_completed = false, publication_created = false, "
                + "own_slot_dropped = own_slot_dropped OR mode = 'follow_only', updated_at = now() WHERE id = ?").param(id).update();
    }

    /** Status and phase now (a switchover begins, or fails and the follow goes on). */
    public void status(String id, Migration.Status status, String phase) {
        jdbc.sql("UPDATE migration.migrations SET status = ?, phase = ?, updated_at = now() WHERE id = ?").params(status.wire(), phase, id)
                .update();
    }

    /**
     * A migration whose run had ended was stopped, its slot dropped: status {@code stopped}, and the run's error, which
     * told how a start would go on from the slot, cleared (the error history keeps it).
     */
    public void stoppedAfterRun(String id) {
        jdbc.sql("UPDATE migration.migrations SET status = ?, phase = 'stopped', error_message = '', updated_at = now() WHERE id = ?")
                .params(Migration.Status.STOPPED.wire(), id).update();
    }

    /** Adds {@code tables} (schema.table) to the tables found unlogged at a start of the migration. */
    public void unloggedSeen(String id, List<String> tables) {
        jdbc.sql("UPDATE migration.migrations SET unlogged_seen = ARRAY(SELECT DISTINCT unnest(unlogged_seen || ?::text[]) ORDER BY 1), "
                + "updated_at = now() WHERE id = ?").params(tables.toArray(String[]::new), id).update();
    }

    /** Every table found unlogged at a start of the migration, logged since or not. */
    public Set<String> unloggedSeen(String id) {
        return jdbc.sql("SELECT unlogged_seen FROM migration.migrations WHERE id = ?").param(id)
                .query((rs, n) -> Set.<String>copyOf(java.util.Arrays.asList((String[]) rs.getArray(1).getArray())))
                .optional().orElse(Set.of());
    }

    /** The follow stopped at a schema change: a next start passes it. */
    public void ddlStopped(String id, Lsn position) {
        jdbc.sql("UPDATE migration.migrations SET ddl_stop_lsn = ?, updated_at = now() WHERE id = ?").params(position.value(), id).update();
    }

    /** A switchover begins: whether each side's database was read-only before it. */
    public void readOnlyBefore(String id, Switchover.ReadOnly before) {
        jdbc.sql("UPDATE migration.migrations SET source_read_only_before = ?, dest_read_only_before = ?, updated_at = now() WHERE id = ?")
                .params(before.source(), before.destination(), id).update();
    }

    /**
     * Whether each side's database was read-only when the switchover under way began; empty while it has not read that yet
     * (it reads it before it changes anything: see {@link #switchoverBegins}).
     */
    public java.util.Optional<Switchover.ReadOnly> readOnlyBefore(String id) {
        return jdbc.sql("SELECT source_read_only_before, dest_read_only_before FROM migration.migrations WHERE id = ? "
                        + "AND source_read_only_before IS NOT NULL AND dest_read_only_before IS NOT NULL").param(id)
                .query((rs, n) -> new Switchover.ReadOnly(rs.getBoolean(1), rs.getBoolean(2)))
                .optional();
    }

    /** A switchover begins: status {@code switchover}, and what an earlier one found read-only forgotten. */
    public void switchoverBegins(String id) {
        jdbc.sql("UPDATE migration.migrations SET status = ?, phase = 'switchover', source_read_only_before = NULL, "
                + "dest_read_only_before = NULL, updated_at = now() WHERE id = ?").params(Migration.Status.SWITCHOVER.wire(), id).update();
    }

    /**
     * The sides a switchover cut off by a restart left read-only that still wait for their writes (the restart could not
     * reach them); their run gives them back.
     */
    public void writesOwed(String id, WritesOwed owed) {
        jdbc.sql("UPDATE migration.migrations SET source_writes_owed = ?, dest_writes_owed = ?, updated_at = now() WHERE id = ?")
                .params(owed.source(), owed.destination(), id).update();
    }

    /** The sides still waiting for their writes (see {@link #writesOwed(String, WritesOwed)}); none for an unknown id. */
    public WritesOwed writesOwed(String id) {
        return jdbc.sql("SELECT source_writes_owed, dest_writes_owed FROM migration.migrations WHERE id = ?").param(id)
                .query((rs, n) -> new WritesOwed(rs.getBoolean(1), rs.getBoolean(2)))
                .optional().orElse(WritesOwed.NONE);
    }

    /** A switchover completed: its sentinel and the write downtime. */
    public void switchedOver(String id, Lsn sentinel, long downtimeMillis) {
        jdbc.sql("UPDATE migration.migrations SET switchover_lsn = ?, switchover_downtime_ms = ?, updated_at = now() WHERE id = ?")
                .params(sentinel.value(), downtimeMillis, id).update();
    }

    /** The follow began: status and phase streaming. */
    public void streaming(String id) {
        jdbc.sql("UPDATE migration.migrations SET status = 'streaming', phase = 'streaming', updated_at = now() WHERE id = ?").param(id)
                .update();
    }

    /**
     * The last source commit the destination applied (pgmanager's {@code confirmed_lsn}) and its commit time on the source
     * (null: not known, the one recorded is kept).
     */
    public void confirmed(String id, Lsn applied, Instant commitTime) {
        jdbc.sql("UPDATE migration.migrations SET confirmed_lsn = ?, confirmed_commit_time = coalesce(?, confirmed_commit_time), "
                        + "updated_at = now() WHERE id = ? AND confirmed_lsn IS DISTINCT FROM ?")
                .params(applied.value(), commitTime == null ? null : Timestamp.from(commitTime), id, applied.value()).update();
    }

    /** At start-up: the migrations whose run the process's end cut off (status running, streaming or switchover). */
    public List<Migration> interrupted() {
        return jdbc.sql("SELECT * FROM migration.migrations WHERE status IN ('running', 'streaming', 'switchover') ORDER BY id")
                .query(MigrationStore::map).list();
    }

    /** A run cut off by the process's end that cannot go on by itself: failed / stale, with why. */
    public void stale(String id, String message) {
        jdbc.sql("UPDATE migration.migrations SET status = 'failed', phase = 'stale', error_message = ?, finished_at = now(), "
                + "updated_at = now() WHERE id = ?").params(message, id).update();
    }

    public List<StoredTable> tables(String id) {
        return jdbc.sql("SELECT * FROM migration.migration_tables WHERE migration_id = ? ORDER BY position").param(id)
                .query((rs, n) -> new StoredTable(rs.getString("schema_name"), rs.getString("table_name"), rs.getString("status"),
                        rs.getLong("rows_total"), rs.getLong("rows_copied"), rs.getLong("size_bytes"), rs.getLong("bytes_copied"),
                        rs.getDouble("percent"), rs.getDouble("elapsed_sec"))).list();
    }

    public List<CloneProgress.Phase> phases(String id) {
        return jdbc.sql("SELECT * FROM migration.migration_phases WHERE migration_id = ? ORDER BY position").param(id)
                .query((rs, n) -> new CloneProgress.Phase(rs.getString("phase"), rs.getTimestamp("started_at").toInstant(),
                        rs.getTimestamp("ended_at") == null ? null : rs.getTimestamp("ended_at").toInstant())).list();
    }

    private static Migration map(ResultSet rs, int row) throws SQLException {
        return new Migration(rs.getString("id"), rs.getString("name"), rs.getString("source_cluster_id"), rs.getString("dest_cluster_id"),
                rs.getString("source_node_id"), rs.getString("dest_node_id"), Migration.Mode.fromWire(rs.getString("mode")),
                rs.getBoolean("fallback"), Migration.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                rs.getString("phase"), rs.getString("error_message"), rs.getString("slot_name"), rs.getString("publication"),
                rs.getInt("copy_workers"), rs.getObject("confirmed_lsn", Long.class), rs.getInt("tables_total"), rs.getInt("tables_copied"),
                rs.getLong("rows_copied"), rs.getLong("bytes_copied"), rs.getBoolean("dest_written"), instant(rs, "started_at"),
                instant(rs, "finished_at"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Lsn lsn(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column) == null ? null : new Lsn(rs.getLong(column));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
