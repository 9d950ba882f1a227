package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Resumed;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * A consumer that commits asynchronously says what it applied before it is durable: after a reconnect the stream starts
 * after it (nothing applied comes again), while the source is told only what was acknowledged as durable.
 */
class AppliedPositionTest extends OnALogicalSource {

    @Test
    void aReconnectStartsAfterWhatWasAppliedButTheSourceHearsOnlyWhatIsDurable() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE t (id int PRIMARY KEY)");
        new Publications(db).createForAllTables("applied");
        new ReplicationSlots(db).create("applied");
        sql(db, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");

        try (ChangeStream stream = ChangeStream.builder(db).slot("applied").publications("applied")
                .statusInterval(Duration.ofMillis(100)).open()) {
            Commit first = commitOf(Streams.nextTransaction(stream));
            Commit second = commitOf(Streams.nextTransaction(stream));
            stream.acknowledge(first.endLsn());
            stream.applied(second.endLsn());
            await().atMost(Streams.PATIENCE).until(() -> first.endLsn().equals(reportedFlush(db)));

            sql(db, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'applied' AND active");
            ReplicationMessage m;
            do {
                m = Streams.next(stream); // the third transaction may have been taken before the fault: it comes again after Resumed
            } while (!(m instanceof Resumed));

            List<ReplicationMessage> next = Streams.nextTransaction(stream);
            assertThat(((Begin) next.get(0)).finalLsn().isAfter(second.endLsn()))
                    .as("the transaction after the applied one comes next, not the applied one again").isTrue();
            assertThat(next).filteredOn(ReplicationMessage.Insert.class::isInstance)
                    .extracting(i -> ((ReplicationMessage.Insert) i).newRow().text(0)).containsExactly("3");
            assertThat(stream.progress().confirmed()).as("what the stream reports to the source").isEqualTo(first.endLsn());
            await().atMost(Streams.PATIENCE).until(() -> reportedFlush(db) != null);
            assertThat(reportedFlush(db)).as("the flush position the new connection reports").isEqualTo(first.endLsn());
        }
    }

    private static Commit commitOf(List<ReplicationMessage> transaction) {
        return (Commit) transaction.get(transaction.size() - 1);
    }

    /** The flush position the slot's consumer reported on its current connection; null before its first report. */
    private static Lsn reportedFlush(ConnectionDetails db) throws Exception {
        String flush = TestSource.queryString(db, "SELECT r.flush_lsn::text FROM pg_stat_replication r "
                + "JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = 'applied'");
        return flush == null ? null : Lsn.parse(flush);
    }
}
