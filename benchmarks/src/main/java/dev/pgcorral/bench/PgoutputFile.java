package dev.pgcorral.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.pgcorral.common.pg.Lsn;

/**
 * What {@code pg_recvlogical} wrote from pgoutput protocol 1: each message as the server sent it, then a
 * newline. Counted so that its side of the comparison is checked to have received the same changes.
 *
 * @param transactions commits
 * @param changes      inserts, updates, deletes and truncates
 * @param lastCommit   the commit position of the last transaction
 */
record PgoutputFile(long transactions, long changes, Lsn lastCommit) {

    static PgoutputFile read(Path file) throws IOException {
        long transactions = 0;
        long changes = 0;
        long lastCommit = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int type;
            while ((type = in.read()) >= 0) {
                switch (type) {
                    case 'B' -> in.skipNBytes(8 + 8 + 4); // final LSN, commit time, xid
                    case 'C' -> {
                        in.skipNBytes(1); // flags
                        lastCommit = in.readLong();
                        in.skipNBytes(8 + 8); // end LSN, commit time
                        transactions++;
                    }
                    case 'O' -> {
                        in.skipNBytes(8);
                        string(in);
                    }
                    case 'R' -> relation(in);
                    case 'Y' -> {
                        in.skipNBytes(4);
                        string(in);
                        string(in);
                    }
                    case 'I' -> {
                        in.skipNBytes(4 + 1); // relation, 'N'
                        tuple(in);
                        changes++;
                    }
                    case 'U' -> {
                        in.skipNBytes(4);
                        if (in.readByte() != 'N') { // 'K' or 'O': the old key or row first
                            tuple(in);
                            in.skipNBytes(1);
                        }
                        tuple(in);
                        changes++;
                    }
                    case 'D' -> {
                        in.skipNBytes(4 + 1); // relation, 'K' or 'O'
                        tuple(in);
                        changes++;
                    }
                    case 'T' -> {
                        int relations = in.readInt();
                        in.skipNBytes(1 + 4L * relations);
                        changes++;
                    }
                    case 'M' -> {
                        in.skipNBytes(1 + 8); // flags, LSN
                        string(in);
                        in.skipNBytes(in.readInt());
                    }
                    default -> throw new IOException("unexpected pgoutput message type " + type + " in " + file);
                }
                if (in.read() != '\n') {
                    throw new IOException("a pgoutput message in " + file + " is not followed by pg_recvlogical's newline");
                }
            }
        } catch (EOFException e) {
            throw new IOException(file + " ends within a message", e);
        }
        return new PgoutputFile(transactions, changes, new Lsn(lastCommit));
    }

    private static void relation(DataInputStream in) throws IOException {
        in.skipNBytes(4); // relation id
        string(in);
        string(in);
        in.skipNBytes(1); // replica identity
        int columns = in.readUnsignedShort();
        for (int i = 0; i < columns; i++) {
            in.skipNBytes(1); // flags
            string(in);
            in.skipNBytes(4 + 4); // type, modifier
        }
    }

    private static void tuple(DataInputStream in) throws IOException {
        int columns = in.readUnsignedShort();
        for (int i = 0; i < columns; i++) {
            int kind = in.readByte();
            if (kind == 't' || kind == 'b') {
                in.skipNBytes(in.readInt());
            }
        }
    }

    private static void string(DataInputStream in) throws IOException {
        while (in.readByte() != 0) {
            // a NUL-terminated string
        }
    }
}
