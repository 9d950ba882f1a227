package dev.pgcorral.common.logical;

import dev.pgcorral.common.pg.Lsn;

/**
 * A replication slot as {@code pg_replication_slots} shows it.
 *
 * @param activePid         the WAL sender streaming from it, 0 when none
 * @param restartLsn        the oldest WAL the slot keeps
 * @param confirmedFlushLsn how far its consumer has acknowledged; a new stream starts here
 * @param walStatus         {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
 */
public record SlotInfo(String name, String plugin, String database, boolean temporary, boolean active, int activePid,
                       Lsn restartLsn, Lsn confirmedFlushLsn, String walStatus) {
}
