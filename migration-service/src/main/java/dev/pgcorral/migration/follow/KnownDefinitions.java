package dev.pgcorral.migration.follow;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.ReplicaIdentity;

/**
 * Where a migration keeps, across its runs and the service's restarts, the source's definition of each table it follows:
 * as the clone's snapshot had it, then as the follow last accepted it. A table's first definition in a run is compared
 * with it, so a type changed on the source while the service was down or the migration stopped still shows. Only the
 * columns' names and types are kept ({@link #reduced}).
 */
public interface KnownDefinitions {

    /** The definitions kept, by the tables' OIDs on the source. */
    Map<Integer, Relation> load();

    /** Keeps these, in place of what was kept for the same tables. */
    void keep(Collection<Relation> relations);

    /** The part of a definition that is kept: the columns' names and types, in order. */
    static Relation reduced(Relation relation) {
        List<Relation.Column> columns = relation.columns().stream()
                .map(c -> new Relation.Column(c.name(), c.typeOid(), c.typeModifier(), false)).toList();
        return new Relation(relation.id(), relation.schema(), relation.table(), ReplicaIdentity.DEFAULT, columns);
    }
}
