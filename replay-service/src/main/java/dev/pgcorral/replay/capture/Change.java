package dev.pgcorral.replay.capture;

import java.time.Instant;
import java.util.List;

import dev.pgcorral.common.pg.Lsn;
import tools.jackson.databind.JsonNode;

/**
 * One entry of a session's change log, read back.
 *
 * @param seq        its index in the log, from 1
 * @param commitLsn  its transaction's commit position
 * @param lsn        the change's own position
 * @param operation  INSERT, UPDATE, DELETE, TRUNCATE or DDL
 * @param columns    the table's columns (names and types) as they were; empty for DDL
 * @param data       column → typed value; for UPDATE an unchanged TOASTed column is absent; null for DELETE, TRUNCATE, DDL
 * @param oldData    the old key (oldKind KEY) or old row (FULL); null when the replica identity sent none
 * @param statement  the DDL statement, or the TRUNCATE as SQL
 * @param searchPath the search_path a DDL statement ran under
 */
public record Change(long seq, long xid, Lsn commitLsn, Instant commitTime, Lsn lsn, String operation, String schema, String table,
                     List<StoredColumns.Column> columns, JsonNode data, JsonNode oldData, String oldKind, String statement,
                     String searchPath) {
}
