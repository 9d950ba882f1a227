package dev.pgcorral.migration.migration;

import java.util.List;

import dev.pgcorral.common.web.ApiException;

/**
 * What two migrations may not share: the replication origin a destination records their progress under (made from the
 * id), and, for two that follow their sources, the slot they stream from.
 */
final class SharedNames {

    private SharedNames() {
    }

    /** Refuses {@code m} (409) where it would share one with a migration of {@code others}. */
    static void refuse(Migration m, List<Migration> others) {
        String origin = MigrationRun.origin(m.id());
        for (Migration other : others) {
            if (other.id().equals(m.id())) {
                continue;
            }
            if (MigrationRun.origin(other.id()).equals(origin)) {
                throw ApiException.conflict("migration id \"" + m.id() + "\" is too like that of migration \"" + other.id() + "\": both "
                        + "would record their progress on a destination as " + origin + " (ids are compared in lower case, other "
                        + "characters than a-z, 0-9 and _ as _, the first 63 only); choose another id");
            }
            if (m.mode() != Migration.Mode.CLONE_ONLY && other.mode() != Migration.Mode.CLONE_ONLY && other.slotName().equals(m.slotName())) {
                throw ApiException.conflict("slot_name \"" + m.slotName() + "\" is the slot of migration \"" + other.id() + "\": two "
                        + "migrations cannot stream from one slot; choose another slot_name, or delete that migration first");
            }
        }
    }
}
