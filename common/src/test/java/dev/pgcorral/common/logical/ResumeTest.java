package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.Resumed;
import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The WAL sender is killed again and again while writers commit: every committed transaction ends
 * up in the consumer's durable record exactly once, and what it had not acknowledged came again.
 */
class ResumeTest extends OnALogicalSource {

    private static final int WRITERS = 4;
    private static final int KILLS = 5;

    @Test
    void killedMidStreamEveryCommittedTransactionIsCountedExactlyOnce() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE events (id bigserial PRIMARY KEY, writer int NOT NULL, seq int NOT NULL, UNIQUE (writer, seq))");
        new Publications(db).createForAllTables("resume");
        new ReplicationSlots(db).create("resume");

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<Integer>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> write(db, writer, writing)));
        }

        /** Transactions made durable (acknowledged), by xid: the rows each inserted. */
        Map<Long, List<String>> durable = new HashMap<>();
        /** Received since the last acknowledgement: lost when the stream resumes, so they must come again. */
        Map<Long, List<String>> pending = new HashMap<>();
        Set<Long> lostAtResume = new HashSet<>();
        int redelivered = 0;
        int kills = 0;
        int commits = 0;
        boolean endSeen = false;
        boolean awaitingResume = false;
        boolean ended = false;
        try (ChangeStream stream = ChangeStream.builder(db).slot("resume").publications("resume")
                .statusInterval(Duration.ofMillis(200)).open()) {
            List<String> rows = null;
            long xid = 0;
            while (!ended) {
                ReplicationMessage m = Streams.next(stream);
                if (m instanceof Resumed) {
                    awaitingResume = false;
                    lostAtResume.addAll(pending.keySet());
                    pending.clear();
                    rows = null;
                } else if (m instanceof Begin begin) {
                    assertThat(rows).as("a transaction begins inside another").isNull();
                    assertThat(durable).as("an acknowledged transaction came again").doesNotContainKey(begin.xid());
                    if (lostAtResume.remove(begin.xid())) {
                        redelivered++;
                    }
                    rows = new ArrayList<>();
                    xid = begin.xid();
                } else if (m instanceof Insert insert) {
                    rows.add(insert.newRow().text(1) + "/" + insert.newRow().text(2));
                } else if (m instanceof Message message && message.prefix().equals("end")) {
                    endSeen = true;
                } else if (m instanceof Commit commit) {
                    pending.put(xid, rows);
                    rows = null;
                    commits++;
                    if (!awaitingResume && (endSeen || commits % 7 == 0)) {
                        durable.putAll(pending);
                        pending.clear();
                        stream.acknowledge(commit.endLsn());
                        ended = endSeen;
                    } else if (commits % 150 == 0 && kills < KILLS) {
                        // the consumer holds unacknowledged transactions: they must come again
                        int reconnectsBefore = stream.progress().reconnects();
                        terminateWalSender(db);
                        kills++;
                        // messages taken before the fault may still come; acknowledge nothing until Resumed
                        awaitingResume = true;
                        await().atMost(Duration.ofSeconds(30)).until(() -> stream.progress().reconnects() > reconnectsBefore);
                    }
                    if (kills == KILLS && !awaitingResume && writing.get()) {
                        writing.set(false);
                        int written = 0;
                        for (Future<Integer> writer : writers) {
                            written += writer.get();
                        }
                        assertThat(written).isPositive();
                        sql(db, "SELECT pg_logical_emit_message(true, 'end', '')");
                    }
                }
            }
        } finally {
            writing.set(false);
            pool.shutdown();
        }

        List<String> expected = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT writer || '/' || seq FROM events ORDER BY id")) {
            while (rs.next()) {
                expected.add(rs.getString(1));
            }
        }
        List<String> received = durable.values().stream().flatMap(List::stream).toList();
        assertThat(received).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(kills).isEqualTo(KILLS);
        assertThat(redelivered).as("unacknowledged transactions delivered again").isGreaterThanOrEqualTo(KILLS);
        assertThat(lostAtResume).as("every unacknowledged transaction came again").isEmpty();
    }

    /** Commits small transactions (1 to 3 rows) until told to stop; returns how many rows it wrote. */
    private static int write(ConnectionDetails db, int writer, AtomicBoolean writing) throws Exception {
        int seq = 0;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO events (writer, seq) VALUES (?, ?)")) {
                while (writing.get()) {
                    int rows = 1 + seq % 3;
                    for (int i = 0; i < rows; i++) {
                        insert.setInt(1, writer);
                        insert.setInt(2, ++seq);
                        insert.executeUpdate();
                    }
                    c.commit();
                }
            }
        }
        return seq;
    }

    private static void terminateWalSender(ConnectionDetails db) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> "t".equals(TestSource.queryString(db,
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'resume' AND active")));
    }
}
