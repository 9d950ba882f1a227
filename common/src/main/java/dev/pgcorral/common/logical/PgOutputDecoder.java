package dev.pgcorral.common.logical;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.OldRow;
import dev.pgcorral.common.logical.ReplicationMessage.Origin;
import dev.pgcorral.common.logical.ReplicationMessage.RelationMessage;
import dev.pgcorral.common.logical.ReplicationMessage.StreamAbort;
import dev.pgcorral.common.logical.ReplicationMessage.StreamCommit;
import dev.pgcorral.common.logical.ReplicationMessage.StreamStart;
import dev.pgcorral.common.logical.ReplicationMessage.StreamStop;
import dev.pgcorral.common.logical.ReplicationMessage.Truncate;
import dev.pgcorral.common.logical.ReplicationMessage.Type;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.pg.Lsn;

/**
 * Decodes pgoutput's messages (protocol versions 1 and 2) into {@link ReplicationMessage}s, keeping
 * the relations the source described. The caches outlive connections: a new session
 * describes each relation again before using it.
 * Not thread-safe: one stream's reader uses it.
 */
final class PgOutputDecoder {

    /** Microseconds between the Unix epoch and PostgreSQL's, 2000-01-01. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private final Map<Integer, Relation> relations = new HashMap<>();
    /** The transaction of the changes being decoded: from Begin (version 1) or from the message (streamed). */
    private long currentXid;
    private boolean inStream;

    ReplicationMessage decode(ByteBuffer buffer, Lsn position) {
        byte kind = buffer.get();
        return switch (kind) {
            case 'B' -> begin(buffer, position);
            case 'C' -> commit(buffer, position);
            case 'O' -> new Origin(position, currentXid, new Lsn(buffer.getLong()), string(buffer));
            case 'R' -> relation(buffer, position);
            case 'Y' -> type(buffer, position);
            case 'I' -> insert(buffer, position);
            case 'U' -> update(buffer, position);
            case 'D' -> delete(buffer, position);
            case 'T' -> truncate(buffer, position);
            case 'M' -> message(buffer, position);
            case 'S' -> streamStart(buffer, position);
            case 'E' -> {
                inStream = false;
                yield new StreamStop(position);
            }
            case 'c' -> streamCommit(buffer, position);
            case 'A' -> new StreamAbort(position, Integer.toUnsignedLong(buffer.getInt()), Integer.toUnsignedLong(buffer.getInt()));
            default -> throw new IllegalStateException("unknown pgoutput message '" + (char) kind + "' at " + position);
        };
    }

    /** The relation the source described with {@code id}, or null. */
    Relation relation(int id) {
        return relations.get(id);
    }

    private Begin begin(ByteBuffer buffer, Lsn position) {
        Lsn finalLsn = new Lsn(buffer.getLong());
        Instant commitTime = timestamp(buffer.getLong());
        currentXid = Integer.toUnsignedLong(buffer.getInt());
        return new Begin(position, currentXid, finalLsn, commitTime);
    }

    private Commit commit(ByteBuffer buffer, Lsn position) {
        buffer.get(); // flags, unused
        Lsn commitLsn = new Lsn(buffer.getLong());
        Lsn endLsn = new Lsn(buffer.getLong());
        Commit commit = new Commit(position, currentXid, commitLsn, endLsn, timestamp(buffer.getLong()));
        currentXid = 0;
        return commit;
    }

    private RelationMessage relation(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        int id = buffer.getInt();
        String schema = string(buffer);
        String table = string(buffer);
        ReplicaIdentity identity = ReplicaIdentity.of(buffer.get());
        int count = buffer.getShort();
        List<Relation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (buffer.get() & 1) != 0;
            String name = string(buffer);
            int typeOid = buffer.getInt();
            int modifier = buffer.getInt();
            columns.add(new Relation.Column(name, typeOid, modifier, key));
        }
        Relation relation = new Relation(id, schema.isEmpty() ? "pg_catalog" : schema, table, identity, columns);
        relations.put(id, relation);
        return new RelationMessage(position, xid, relation);
    }

    private Type type(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        int oid = buffer.getInt();
        String schema = string(buffer);
        return new Type(position, xid, oid, schema.isEmpty() ? "pg_catalog" : schema, string(buffer));
    }

    private Insert insert(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        Relation relation = knownRelation(buffer.getInt(), position);
        expect(buffer, 'N', position);
        return new Insert(position, xid, row(buffer, relation));
    }

    private Update update(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        Relation relation = knownRelation(buffer.getInt(), position);
        byte marker = buffer.get();
        OldRow oldKind = OldRow.NONE;
        Row oldRow = null;
        if (marker == 'K' || marker == 'O') {
            oldKind = marker == 'K' ? OldRow.KEY : OldRow.FULL;
            oldRow = row(buffer, relation);
            marker = buffer.get();
        }
        if (marker != 'N') {
            throw new IllegalStateException("malformed UPDATE at " + position + ": expected the new row, got '" + (char) marker + "'");
        }
        return new Update(position, xid, oldKind, oldRow, row(buffer, relation));
    }

    private Delete delete(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        Relation relation = knownRelation(buffer.getInt(), position);
        byte marker = buffer.get();
        if (marker != 'K' && marker != 'O') {
            throw new IllegalStateException("malformed DELETE at " + position + ": expected the old row, got '" + (char) marker + "'");
        }
        return new Delete(position, xid, marker == 'K' ? OldRow.KEY : OldRow.FULL, row(buffer, relation));
    }

    private Truncate truncate(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        int count = buffer.getInt();
        byte options = buffer.get();
        List<Relation> truncated = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            truncated.add(knownRelation(buffer.getInt(), position));
        }
        return new Truncate(position, xid, truncated, (options & 1) != 0, (options & 2) != 0);
    }

    private Message message(ByteBuffer buffer, Lsn position) {
        long xid = streamedXid(buffer);
        boolean transactional = (buffer.get() & 1) != 0;
        Lsn messageLsn = new Lsn(buffer.getLong());
        String prefix = string(buffer);
        byte[] content = new byte[buffer.getInt()];
        buffer.get(content);
        return new Message(position, transactional ? xid : 0, transactional, messageLsn, prefix, content);
    }

    private StreamStart streamStart(ByteBuffer buffer, Lsn position) {
        inStream = true;
        long xid = Integer.toUnsignedLong(buffer.getInt());
        return new StreamStart(position, xid, buffer.get() == 1);
    }

    private StreamCommit streamCommit(ByteBuffer buffer, Lsn position) {
        long xid = Integer.toUnsignedLong(buffer.getInt());
        buffer.get(); // flags, unused
        Lsn commitLsn = new Lsn(buffer.getLong());
        Lsn endLsn = new Lsn(buffer.getLong());
        return new StreamCommit(position, xid, commitLsn, endLsn, timestamp(buffer.getLong()));
    }

    /** Inside a streamed block (protocol 2) a change names its transaction; otherwise it belongs to the open one. */
    private long streamedXid(ByteBuffer buffer) {
        return inStream ? Integer.toUnsignedLong(buffer.getInt()) : currentXid;
    }

    private Row row(ByteBuffer buffer, Relation relation) {
        int count = buffer.getShort();
        ColumnValue[] values = new ColumnValue[count];
        for (int i = 0; i < count; i++) {
            byte kind = buffer.get();
            values[i] = switch (kind) {
                case 'n' -> ColumnValue.NULL;
                case 'u' -> ColumnValue.UNCHANGED_TOAST;
                case 't' -> {
                    int length = buffer.getInt();
                    String text = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
                    buffer.position(buffer.position() + length);
                    yield new ColumnValue.Text(text);
                }
                case 'b' -> {
                    byte[] bytes = new byte[buffer.getInt()];
                    buffer.get(bytes);
                    yield new ColumnValue.Binary(bytes);
                }
                default -> throw new IllegalStateException("unknown column kind '" + (char) kind + "' in a row of "
                        + relation.qualifiedName());
            };
        }
        return new Row(relation, values);
    }

    private Relation knownRelation(int id, Lsn position) {
        Relation relation = relations.get(id);
        if (relation == null) {
            throw new IllegalStateException("a change at " + position + " refers to relation " + id
                    + ", which the source never described");
        }
        return relation;
    }

    private static void expect(ByteBuffer buffer, char marker, Lsn position) {
        byte got = buffer.get();
        if (got != marker) {
            throw new IllegalStateException("malformed message at " + position + ": expected '" + marker + "', got '" + (char) got + "'");
        }
    }

    private static String string(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start;
        while (buffer.get(end) != 0) {
            end++;
        }
        String value = new String(buffer.array(), buffer.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        buffer.position(end + 1);
        return value;
    }

    private static Instant timestamp(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
