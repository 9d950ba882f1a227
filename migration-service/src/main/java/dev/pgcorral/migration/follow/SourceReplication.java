package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.pgcorral.common.logical.ExportedSnapshot;
import dev.pgcorral.common.logical.Publications;
import dev.pgcorral.common.logical.ReplicationSlots;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * What a followed migration keeps on its source: the publication (the tables whose changes it follows)
 * and the slot (where the source keeps WAL for it). {@link #begin()} checks the tables first: once a table
 * without a replica identity is published, UPDATE and DELETE on it fail on the source, so such tables are
 * named and nothing is created. {@link #remove()} drops the slot and the publication this migration
 * created (a publication that existed before is left), so the source keeps no WAL for a migration that
 * is gone.
 */
public final class SourceReplication {

    /** Tables that would be published and have no replica identity (NOTHING, or DEFAULT without a primary key). */
    private static final String WITHOUT_IDENTITY = """
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
              AND (? OR EXISTS (SELECT 1 FROM pg_publication_tables p WHERE p.pubname = ? AND p.schemaname = n.nspname
                                                                        AND p.tablename = c.relname))
              AND (c.relreplident = 'n'
                   OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
                   OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
            ORDER BY 1""";

    private final ConnectionDetails source;
    private final String slot;
    private final String publication;

    public SourceReplication(ConnectionDetails source, String slot, String publication) {
        this.source = source;
        this.slot = slot;
        this.publication = publication;
    }

    /** What {@link #begin()} made: the slot's snapshot and whether the publication is ours to drop. */
    public record Begun(ExportedSnapshot snapshot, boolean publicationCreated) {
    }

    /**
     * Creates the publication (unless one of that name exists) and then the slot with its exported
     * snapshot.
     *
     * @param leftoverIsOurs an earlier run of this migration made a slot of this name: drop it first (else such a slot is an error)
     * @throws IllegalStateException naming the tables without a replica identity, and how to give them one; or a slot in the way
     */
    public Begun begin(boolean leftoverIsOurs) throws SQLException {
        ReplicationSlots slots = new ReplicationSlots(source);
        if (leftoverIsOurs) {
            slots.dropEndingItsUser(slot);
        } else if (slots.find(slot).isPresent()) {
            throw new IllegalStateException("a replication slot named " + slot + " already exists on the source and this migration did "
                    + "not make it: create the migration with another slot_name, or drop that slot (pg_drop_replication_slot) if "
                    + "nothing uses it");
        }
        Publications publications = new Publications(source);
        boolean existing = publications.exists(publication);
        List<String> missing = tablesWithoutIdentity(!existing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("these tables have no replica identity: " + String.join(", ", missing) + ". Once they "
                    + "are published, UPDATE and DELETE on them fail on the source, and the migration could not match such changes "
                    + "to rows on the destination. Give each a primary key, or run ALTER TABLE … REPLICA IDENTITY FULL on the source "
                    + "(it costs nothing for tables that only get INSERTs), then start the migration again");
        }
        if (!existing) {
            publications.createForDatabase(publication, Set.of());
        }
        try {
            return new Begun(slots.createWithSnapshot(slot), !existing);
        } catch (RuntimeException e) {
            if (!existing) {
                publications.drop(publication);
            }
            throw e;
        }
    }

    public boolean slotExists() {
        return new ReplicationSlots(source).find(slot).isPresent();
    }

    /** Drops the slot, and the publication when {@code publicationCreated}; what is gone already is fine. */
    public void remove(boolean publicationCreated) {
        new ReplicationSlots(source).dropEndingItsUser(slot);
        if (publicationCreated) {
            new Publications(source).drop(publication);
        }
    }

    private List<String> tablesWithoutIdentity(boolean allTables) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = source.connect(); PreparedStatement st = c.prepareStatement(WITHOUT_IDENTITY)) {
            st.setBoolean(1, allTables);
            st.setString(2, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }
}
