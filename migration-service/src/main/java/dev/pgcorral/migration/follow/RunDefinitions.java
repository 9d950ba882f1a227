package dev.pgcorral.migration.follow;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The source's definition of each table that a follow run compares the stream's with, so a type change shows: the
 * stream's latest, across reconnects and apply sessions; else the one kept from an earlier run ({@link KnownDefinitions});
 * else the source catalog's as the follow started. The ones the destination took are kept for later runs, best effort (a
 * state store out of reach is logged). Apply thread only.
 */
final class RunDefinitions {

    private static final Logger log = LoggerFactory.getLogger(RunDefinitions.class);

    private final KnownDefinitions known;
    private final String migrationId;
    /** The latest definition of each table, which {@link TargetTables} compares with and updates. */
    private final Map<Integer, Relation> latest = new HashMap<>();
    /** What {@link #known} holds, reduced ({@link KnownDefinitions#reduced}). */
    private final Map<Integer, Relation> kept = new HashMap<>();

    RunDefinitions(KnownDefinitions known, String migrationId) {
        this.known = known;
        this.migrationId = migrationId;
    }

    /** The latest definitions, for {@link TargetTables} to compare with and update. */
    Map<Integer, Relation> latest() {
        return latest;
    }

    /** Starts from the definitions kept by earlier runs. */
    void load() {
        try {
            kept.putAll(known.load());
            latest.putAll(kept);
        } catch (RuntimeException e) {
            log.warn("migration {}: cannot read the source's table definitions kept by earlier runs ({}): a type changed while it "
                    + "did not follow shows only where the source's catalog still tells", migrationId, e.getMessage());
        }
    }

    /**
     * Adds the source catalog's definition of each published table that has none yet, and keeps those. Best effort: without
     * it, a table's first definition is compared with nothing.
     */
    void seed(ConnectionDetails source, String publication) {
        try {
            List<Relation> fresh = new ArrayList<>();
            SourceDefinitions.read(source, publication).forEach((id, relation) -> {
                if (latest.putIfAbsent(id, relation) == null) {
                    fresh.add(relation);
                }
            });
            keep(fresh);
        } catch (SQLException e) {
            log.warn("migration {}: cannot read the published tables' columns on the source ({}): a type changed before a table's "
                    + "first change in this run goes unnoticed", migrationId, e.getMessage());
        }
    }

    /** The destination took the stream's definition of a table: later runs compare with it. */
    void taken(Relation relation) {
        keep(List.of(relation));
    }

    /** Keeps the definitions that differ from what {@link #known} holds. */
    private void keep(List<Relation> relations) {
        List<Relation> changed = relations.stream().map(KnownDefinitions::reduced).filter(r -> !r.equals(kept.get(r.id()))).toList();
        if (changed.isEmpty()) {
            return;
        }
        try {
            known.keep(changed);
            changed.forEach(r -> kept.put(r.id(), r));
        } catch (RuntimeException e) {
            log.warn("migration {}: cannot keep the source's table definitions for later runs: {}", migrationId, e.getMessage());
        }
    }
}
