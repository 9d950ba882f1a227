package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.StreamAbort;
import dev.pgcorral.common.logical.ReplicationMessage.StreamCommit;
import dev.pgcorral.common.logical.ReplicationMessage.StreamStart;
import dev.pgcorral.common.logical.ReplicationMessage.StreamStop;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Transactions far larger than the buffer. The server keeps at most 64 kB of a transaction in memory
 * (logical_decoding_work_mem), so protocol 2 streams them in parts.
 */
class LargeTransactionsTest {

    @TempDir
    static Path base;
    static TestSource source;

    @BeforeAll
    static void start() throws Exception {
        source = TestSource.logical(base, Map.of("logical_decoding_work_mem", "64kB"));
    }

    @AfterAll
    static void stop() {
        source.close();
    }

    @Test
    void aMillionRowTransactionStreamsThroughABoundedBuffer() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE big (id int PRIMARY KEY, name text, amount numeric)");
        new Publications(db).createForAllTables("big");
        new ReplicationSlots(db).create("big");
        long bound = 1 << 20;
        try (ChangeStream stream = ChangeStream.builder(db).slot("big").publications("big").bufferBytes(bound).open()) {
            sql(db, "INSERT INTO big SELECT g, 'row ' || g, g / 7.0 FROM generate_series(1, 1000000) g");
            Begin begin = (Begin) Streams.next(stream);
            int expected = 1;
            ReplicationMessage m;
            while (!((m = Streams.next(stream)) instanceof Commit)) {
                if (m instanceof Insert insert) {
                    assertThat(insert.xid()).isEqualTo(begin.xid());
                    if (!Integer.valueOf(expected).equals(insert.newRow().toJava(0))) {
                        assertThat(insert.newRow().toJava(0)).isEqualTo(expected);
                    }
                    expected++;
                }
            }
            assertThat(expected - 1).isEqualTo(1_000_000);
            assertThat(((Commit) m).commitLsn()).isEqualTo(begin.finalLsn());
            stream.acknowledge(((Commit) m).endLsn());
            assertThat(stream.progress().maxBufferedBytes()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void protocolTwoStreamsLargeTransactionsInPartsBeforeTheyCommit() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE parts (id int PRIMARY KEY, pad text)");
        new Publications(db).createForAllTables("parts");
        new ReplicationSlots(db).create("parts");
        try (ChangeStream stream = ChangeStream.builder(db).slot("parts").publications("parts")
                .protocol(ChangeStream.Protocol.V2_STREAMING).open()) {
            sql(db, "BEGIN", "INSERT INTO parts SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g", "ROLLBACK");
            sql(db, "INSERT INTO parts SELECT g, repeat('y', 50) FROM generate_series(1, 20000) g");
            sql(db, "INSERT INTO parts VALUES (0, 'small')");

            Set<Long> aborted = new HashSet<>();
            java.util.Map<Long, Integer> insertsByXid = new java.util.HashMap<>();
            int starts = 0;
            int stops = 0;
            boolean inPart = false;
            StreamCommit committed = null;
            while (committed == null) {
                ReplicationMessage m = Streams.next(stream);
                if (m instanceof StreamStart start) {
                    assertThat(inPart).isFalse();
                    inPart = true;
                    starts++;
                } else if (m instanceof StreamStop) {
                    assertThat(inPart).isTrue();
                    inPart = false;
                    stops++;
                } else if (m instanceof StreamAbort abort) {
                    assertThat(abort.subXid()).isEqualTo(abort.xid());
                    aborted.add(abort.xid());
                } else if (m instanceof Insert insert) {
                    assertThat(inPart).as("a streamed change comes inside a part").isTrue();
                    assertThat(insert.xid()).isPositive();
                    insertsByXid.merge(insert.xid(), 1, Integer::sum);
                } else if (m instanceof StreamCommit commit) {
                    committed = commit;
                }
            }
            assertThat(aborted).hasSize(1).doesNotContain(committed.xid());
            assertThat(starts).isGreaterThan(2).isEqualTo(stops);
            assertThat(insertsByXid.get(committed.xid())).as("every row of the committed transaction").isEqualTo(20000);
            // how much of the rolled back one was streamed before its end was decoded depends on timing
            assertThat(insertsByXid.getOrDefault(aborted.iterator().next(), 0)).isLessThanOrEqualTo(20000);
            assertThat(committed.endLsn()).isGreaterThan(committed.commitLsn());
            stream.acknowledge(committed.endLsn());
            // a small transaction still comes whole, Begin to Commit
            var small = Streams.nextTransaction(stream);
            assertThat(((Insert) small.get(1)).newRow().text(1)).isEqualTo("small");
        }
    }
}
