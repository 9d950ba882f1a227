package dev.pgcorral.replay.capture;

import dev.pgcorral.common.pg.Lsn;

/**
 * Which entries of a change log to read; null fields do not filter.
 *
 * @param newestFirst order
 * @param table       {@code table} or {@code schema.table}
 * @param operation   INSERT, UPDATE, DELETE, TRUNCATE, DDL
 * @param afterSeq    entries after this index
 * @param toSeq       entries up to this index
 * @param fromLsn     entries whose commit position is at or after this
 * @param toLsn       entries whose commit position is at or before this
 */
public record ChangeQuery(boolean newestFirst, String table, String operation, Long xid, Long afterSeq, Long toSeq, Lsn fromLsn,
                          Lsn toLsn, long offset, int limit) {

    public static ChangeQuery between(long afterSeq, long toSeq) {
        return new ChangeQuery(false, null, null, null, afterSeq, toSeq, null, null, 0, Integer.MAX_VALUE);
    }
}
