package dev.pgcorral.migration.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.clone.CloneState;
import dev.pgcorral.migration.follow.KnownDefinitions;
import dev.pgcorral.migration.follow.SourceDefinitions;

/** A migration's {@link KnownDefinitions}, in the state store. */
record StoredDefinitions(MigrationStore store, String migrationId) implements KnownDefinitions {

    @Override
    public Map<Integer, Relation> load() {
        return store.sourceDefinitions(migrationId);
    }

    @Override
    public void keep(Collection<Relation> relations) {
        store.keepSourceDefinitions(migrationId, relations);
    }

    /**
     * Keeps the published tables' definitions as the clone's snapshot has them, in place of an earlier clone's: the follow
     * compares the stream's first definition of each table with these, so a type changed on the source after the snapshot
     * shows. Without the snapshot none are kept, and the follow compares with the source's catalog as it starts. Returns
     * why they could not be read, null when they were.
     */
    String replaceFromSnapshot(ConnectionDetails source, String publication, Optional<CloneState> clone) {
        Collection<Relation> definitions = List.of();
        String unread = null;
        if (clone.isPresent()) {
            try (Connection c = source.connect()) {
                clone.get().beginOnSnapshot(c);
                definitions = SourceDefinitions.read(c, publication).values();
                c.rollback();
            } catch (SQLException e) {
                unread = "cannot read the tables' definitions in the clone's snapshot (" + e.getMessage() + "): a type changed on the "
                        + "source since shows only where the source's catalog still tells";
            }
        }
        store.replaceSourceDefinitions(migrationId, definitions);
        return unread;
    }
}
