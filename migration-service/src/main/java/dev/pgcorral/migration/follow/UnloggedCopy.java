package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.clone.SourceTable;
import dev.pgcorral.migration.clone.UnloggedTables;

/**
 * A switchover's part for unlogged tables ({@link UnloggedTables}): those unlogged now, and those that were at an
 * earlier start of the migration. No change of theirs reached the destination through the WAL while they were, so
 * they are copied again while the source's writes are stopped.
 */
final class UnloggedCopy {

    private final ConnectionDetails source;
    private final ConnectionDetails destination;
    private final Set<String> onceUnlogged;

    /** @param onceUnlogged tables found unlogged at an earlier start ({@code schema.table}) */
    UnloggedCopy(ConnectionDetails source, ConnectionDetails destination, Set<String> onceUnlogged) {
        this.source = source;
        this.destination = destination;
        this.onceUnlogged = onceUnlogged;
    }

    /** Refuses, before anything is changed, a switchover whose destination lacks one of them. */
    void checkThere() throws SQLException {
        try (Connection src = source.connect(); Connection dst = destination.connect()) {
            List<String> missing = UnloggedTables.missingOn(dst, UnloggedTables.toCopy(src, onceUnlogged));
            if (!missing.isEmpty()) {
                throw new IllegalStateException("the destination lacks unlogged table(s) " + String.join(", ", missing) + ", which the "
                        + "switchover copies again (their changes are not in the WAL): create them there as on the source; the source's "
                        + "writes were not touched");
            }
        }
    }

    /**
     * Copies them again by {@code deadline} ({@link System#nanoTime()}; past it, throws with {@code late}). Returns what was
     * copied, in words; null when there was nothing to copy.
     */
    String copy(long deadline, String late) throws SQLException {
        Map<String, Long> copied;
        try (Connection src = source.connect()) {
            List<SourceTable> tables = UnloggedTables.toCopy(src, onceUnlogged);
            if (tables.isEmpty()) {
                return null; // no connection to the destination: the source is without writes meanwhile
            }
            try (Connection dst = destination.connectReadWrite()) {
                copied = UnloggedTables.copyAgain(src, dst, tables, deadline, late);
            }
        }
        return copied.isEmpty() ? null : "unlogged tables copied again while writes are stopped (their changes are not in the WAL, "
                + "so the follow did not carry them): " + copied.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " rows)")
                .collect(Collectors.joining(", "));
    }
}
