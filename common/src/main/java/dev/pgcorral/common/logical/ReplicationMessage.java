package dev.pgcorral.common.logical;

import java.time.Instant;
import java.util.List;

import dev.pgcorral.common.pg.Lsn;

/**
 * One decoded pgoutput message, or {@link Resumed} after the stream reconnected. Every message has
 * the WAL {@link #position()} its data came from; changes also carry the id of the transaction they
 * belong to. Records are immutable and safe to hand to other threads.
 */
public sealed interface ReplicationMessage {

    /** Where in the source's WAL this message comes from (a Commit: its transaction's end). */
    Lsn position();

    /** A transaction starts; its changes follow, up to its {@link Commit}. */
    record Begin(Lsn position, long xid, Lsn finalLsn, Instant commitTime) implements ReplicationMessage {
    }

    /**
     * A transaction committed. Acknowledge {@link #endLsn()} once it is durable on the consumer's side:
     * it is then never delivered again.
     */
    record Commit(Lsn position, long xid, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements ReplicationMessage {
    }

    /** The transaction was replicated to the source from elsewhere (a replication origin). */
    record Origin(Lsn position, long xid, Lsn originCommitLsn, String name) implements ReplicationMessage {
    }

    /** A table's definition, sent before its first change in a session and after it changes. */
    record RelationMessage(Lsn position, long xid, Relation relation) implements ReplicationMessage {
    }

    /** A user-defined type (an enum, a domain, ...) a following relation uses. */
    record Type(Lsn position, long xid, int oid, String schema, String name) implements ReplicationMessage {
    }

    record Insert(Lsn position, long xid, Row newRow) implements ReplicationMessage {
        public Relation relation() {
            return newRow.relation();
        }
    }

    /**
     * @param oldKind what the source sent of the old row, per the table's replica identity
     * @param oldRow  the old key or whole old row; null when {@code oldKind} is {@link OldRow#NONE}
     * @param newRow  the new row; a column may be {@link ColumnValue#UNCHANGED_TOAST}
     */
    record Update(Lsn position, long xid, OldRow oldKind, Row oldRow, Row newRow) implements ReplicationMessage {
        public Relation relation() {
            return newRow.relation();
        }
    }

    /** @param oldRow the old key ({@link OldRow#KEY}) or whole old row ({@link OldRow#FULL}) */
    record Delete(Lsn position, long xid, OldRow oldKind, Row oldRow) implements ReplicationMessage {
        public Relation relation() {
            return oldRow.relation();
        }
    }

    record Truncate(Lsn position, long xid, List<Relation> relations, boolean cascade, boolean restartIdentity)
            implements ReplicationMessage {
        public Truncate {
            relations = List.copyOf(relations);
        }
    }

    /**
     * A logical message ({@code pg_logical_emit_message}). A transactional one comes inside its
     * transaction, in commit order; another one comes as soon as it was written, outside any transaction.
     */
    record Message(Lsn position, long xid, boolean transactional, Lsn messageLsn, String prefix, byte[] content)
            implements ReplicationMessage {
        public String contentAsString() {
            return new String(content, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Protocol 2: a part of a large transaction still in progress on the source follows. */
    record StreamStart(Lsn position, long xid, boolean firstSegment) implements ReplicationMessage {
    }

    /** Protocol 2: the part that {@link StreamStart} began ends. */
    record StreamStop(Lsn position) implements ReplicationMessage {
    }

    /** Protocol 2: the streamed transaction committed; acknowledge {@link #endLsn()} once it is durable. */
    record StreamCommit(Lsn position, long xid, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements ReplicationMessage {
    }

    /** Protocol 2: the streamed transaction ({@code subXid == xid}) or one of its subtransactions rolled back. */
    record StreamAbort(Lsn position, long xid, long subXid) implements ReplicationMessage {
    }

    /**
     * The connection to the source was lost and the stream reconnected from {@link #position()}, the last
     * position acknowledged: whatever the consumer received after it and has not made durable comes
     * again, from the start of its transaction. Discard such partial work when this arrives.
     */
    record Resumed(Lsn position, String reason) implements ReplicationMessage {
    }

    /** What an UPDATE or DELETE carries of the old row. */
    enum OldRow {
        /** Nothing: the key did not change (UPDATE under the default replica identity). */
        NONE,
        /** The replica identity's columns; other columns are NULL. */
        KEY,
        /** Every column (REPLICA IDENTITY FULL). */
        FULL
    }
}
