package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * What a clone has read and done, kept while its snapshot lives: the snapshot, the schema archive, the
 * tables and their parts, the parts already copied, the sequences read. A run that fails or is stopped
 * during the schema or copy phase leaves it to its owner; the next run of the migration resumes on it
 * (the same snapshot, only the parts not copied yet), as long as the snapshot is still open. Closing it
 * ends the snapshot and deletes the archive.
 */
public final class CloneState implements AutoCloseable {

    final CloneSnapshot snapshot;
    final SchemaCopy schema;
    final List<SourceTable> tables;
    final List<Finishing.SequenceValue> sequences;
    final List<TablePart> parts;
    final Map<SourceTable, TableProgress> progress = new LinkedHashMap<>();
    final Set<TablePart> copied = ConcurrentHashMap.newKeySet();
    volatile boolean schemaRestored;
    volatile boolean largeObjectsRestored;
    /** Past the copy (indexes being built): a new run cannot pick up from here. */
    volatile boolean pastCopy;
    /** The clone completed: the snapshot shows the source as the destination now holds it. */
    volatile boolean done;

    private CloneState(CloneSnapshot snapshot, SchemaCopy schema, List<SourceTable> tables, List<Finishing.SequenceValue> sequences,
                       List<TablePart> parts) {
        this.snapshot = snapshot;
        this.schema = schema;
        this.tables = tables;
        this.sequences = sequences;
        this.parts = parts;
        for (SourceTable t : tables) {
            progress.put(t, new TableProgress(t, (int) parts.stream().filter(p -> p.table() == t).count()));
        }
    }

    /** Takes the snapshot and reads, through it on {@code src}, what the clone copies. */
    static CloneState begin(ConnectionDetails source, ConnectionDetails destination, PgTools tools, Connection src, long splitAbove,
                            int maxParts, CloneSnapshot.Source snapshots) throws Exception {
        CloneSnapshot snapshot = snapshots.take(source);
        SchemaCopy schema = null;
        try {
            schema = new SchemaCopy(tools, source, destination);
            snapshot.begin(src);
            List<SourceTable> tables = SourceTables.list(src);
            List<Finishing.SequenceValue> sequences = Finishing.sequences(src);
            boolean tidRanges = src.getMetaData().getDatabaseMajorVersion() >= 14;
            src.commit();
            return new CloneState(snapshot, schema, tables, sequences, SourceTables.parts(tables, splitAbove, maxParts, tidRanges));
        } catch (Exception e) {
            snapshot.close();
            if (schema != null) {
                schema.close();
            }
            throw e;
        }
    }

    /** Whether the clone completed and its snapshot is still open: the source as the clone read it. */
    public boolean completedAndOpen() {
        return done && snapshot.isOpen();
    }

    /**
     * Starts on {@code connection} (to the source) a read-only REPEATABLE READ transaction that sees the
     * source as of the clone's snapshot.
     */
    public void beginOnSnapshot(Connection connection) throws java.sql.SQLException {
        snapshot.begin(connection);
    }

    /** Whether a new run can resume here: the snapshot still open and the copy not finished. */
    public boolean resumable() {
        return !pastCopy && snapshot.isOpen();
    }

    /** In words, for the log: how far it got. */
    public String describe() {
        return "snapshot " + snapshot.name() + ", " + (schemaRestored ? copied.size() + " of " + parts.size() + " table parts copied"
                : "schema not restored yet");
    }

    List<TablePart> remaining() {
        return parts.stream().filter(p -> !copied.contains(p)).toList();
    }

    @Override
    public void close() {
        snapshot.close();
        schema.close();
    }
}
