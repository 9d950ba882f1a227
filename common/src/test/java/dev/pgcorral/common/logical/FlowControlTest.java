package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.Streams.next;
import static dev.pgcorral.common.logical.Streams.nextTransaction;
import static dev.pgcorral.common.logical.TestSource.confirmedFlush;
import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** What reaches the source as acknowledged, idle slots, and back-pressure. */
class FlowControlTest extends OnALogicalSource {

    @Test
    void onlyWhatTheConsumerAcknowledgedIsConfirmedAndAStreamResumesThere() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE t (id int PRIMARY KEY)");
        Commit first;
        Commit second;
        try (ChangeStream stream = ChangeStream.builder(db).slot(slot(db, "acks")).publications("acks")
                .statusInterval(Duration.ofMillis(100)).open()) {
            Lsn created = confirmedFlush(db, "acks");
            sql(db, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
            first = last(nextTransaction(stream));
            second = last(nextTransaction(stream));
            last(nextTransaction(stream));
            // received, not acknowledged: the slot stays where it was
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> confirmedFlush(db, "acks").equals(created));
            stream.acknowledge(first.endLsn());
            await().atMost(Duration.ofSeconds(10)).until(() -> confirmedFlush(db, "acks").equals(first.endLsn()));
            assertThat(stream.progress().acknowledged()).isEqualTo(first.endLsn());
            assertThat(stream.progress().confirmed()).isEqualTo(first.endLsn());
            stream.acknowledge(Lsn.parse("0/1"));
            assertThat(stream.progress().acknowledged()).as("positions only move forward").isEqualTo(first.endLsn());
        }
        assertThat(confirmedFlush(db, "acks")).isEqualTo(first.endLsn());
        try (ChangeStream again = ChangeStream.builder(db).slot("acks").publications("acks").open()) {
            List<ReplicationMessage> resent = nextTransaction(again);
            assertThat(((Insert) resent.get(1)).newRow().text(0)).as("the first unacknowledged transaction").isEqualTo("2");
            assertThat(last(resent).endLsn()).isEqualTo(second.endLsn());
        }
    }

    @Test
    void anIdleSlotFollowsTheServerWhileOtherDatabasesWrite() throws Exception {
        ConnectionDetails idle = source.newDatabase();
        ConnectionDetails busy = source.newDatabase();
        sql(idle, "CREATE TABLE t (id int PRIMARY KEY)");
        sql(busy, "CREATE TABLE t (id int PRIMARY KEY)");
        try (ChangeStream stream = ChangeStream.builder(idle).slot(slot(idle, "idle")).publications("idle")
                .statusInterval(Duration.ofMillis(100)).open()) {
            sql(idle, "INSERT INTO t VALUES (1)");
            Commit only = last(nextTransaction(stream));
            stream.acknowledge(only.endLsn());
            sql(busy, "INSERT INTO t SELECT generate_series(1, 10000)", "CHECKPOINT");
            Lsn afterOthers = TestSource.currentLsn(busy);
            await().atMost(Duration.ofSeconds(30)).until(() -> !confirmedFlush(idle, "idle").isBefore(afterOthers));
            assertThat(stream.progress().confirmed()).isGreaterThanOrEqualTo(afterOthers);
            // and nothing of the idle database was passed over
            sql(idle, "INSERT INTO t VALUES (2)");
            assertThat(((Insert) nextTransaction(stream).get(1)).newRow().text(0)).isEqualTo("2");
        }
    }

    @Test
    void aSlowConsumerHoldsTheSourceBackInsteadOfBufferingWithoutBound() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE t (id int PRIMARY KEY, pad text)");
        long bound = 64 * 1024;
        try (ChangeStream stream = ChangeStream.builder(db).slot(slot(db, "slow")).publications("slow")
                .bufferBytes(bound).open()) {
            sql(db, "INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g");
            // the consumer takes nothing yet: the buffer fills up to its bound and stops there
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.progress().bufferedBytes() > bound / 2);
            // and it stays there: what was received stops moving (it may still have been filling when the above held)
            AtomicReference<Lsn> lastSeen = new AtomicReference<>(stream.progress().received());
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                    .until(() -> lastSeen.getAndSet(stream.progress().received()).equals(lastSeen.get()));
            assertThat(stream.progress().bufferedBytes()).isLessThanOrEqualTo(bound);
            int inserts = 0;
            int expected = 1;
            while (inserts < 20000) {
                ReplicationMessage m = next(stream);
                if (m instanceof Insert insert) {
                    assertThat(insert.newRow().toJava(0)).isEqualTo(expected++);
                    inserts++;
                }
            }
            assertThat(stream.progress().maxBufferedBytes()).isBetween(bound / 2, bound);
        }
    }

    private static String slot(ConnectionDetails db, String name) {
        new Publications(db).createForAllTables(name);
        new ReplicationSlots(db).create(name);
        return name;
    }

    private static Commit last(List<ReplicationMessage> transaction) {
        return (Commit) transaction.get(transaction.size() - 1);
    }
}
