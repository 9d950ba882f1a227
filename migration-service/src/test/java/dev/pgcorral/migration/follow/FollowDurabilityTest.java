package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.TestServer;

/**
 * The follow commits asynchronously on the destination, so a crash of the destination server takes back the commits
 * whose WAL it had not written yet. The source must not have been told of them: they come again, and every row
 * arrives exactly once.
 */
class FollowDurabilityTest extends MigrationTestBase {

    private static final int ROUNDS = 5;
    private static final int PER_ROUND = 20;

    @TempDir
    Path dir;

    private TestServer destinationServer;

    @AfterEach
    void stopServer() {
        if (destinationServer != null) {
            destinationServer.close();
        }
    }

    /**
     * A table {@code t (id, v)} on {@code source}, followed ({@code clone_and_follow}, migration {@code id}) into a destination
     * server whose apply commits stay unwritten until the follow asks for them to be flushed; returns that destination.
     */
    private ConnectionDetails followIntoUnflushed(String id, ConnectionDetails source) throws Exception {
        sql(source, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        destinationServer = new TestServer(dir, TestServer.UNFLUSHED_UNTIL_ASKED);
        destinationServer.create("dst");
        ConnectionDetails dest = destinationServer.database("dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart(id, source, dest, "clone_and_follow");
        api.awaitStatus(id, "streaming", Duration.ofSeconds(60));
        return dest;
    }

    @Test
    void commitsACrashOfTheDestinationTookBackAreAppliedAgainExactlyOnce() throws Exception {
        ConnectionDetails source = database("fdur_src");
        ConnectionDetails dest = followIntoUnflushed("fdur", source);

        int crashesThatTookBackCommits = 0;
        int rows = 0;
        for (int round = 0; round < ROUNDS && crashesThatTookBackCommits < 2; round++) {
            for (int i = 0; i < PER_ROUND; i++) {
                sql(source, "INSERT INTO t VALUES (" + (++rows) + ", 'round " + round + "')"); // a transaction each
            }
            int expected = rows;
            // read at once (well within the follow's 0.2 s of quiet before it asks for a flush)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2))
                    .until(() -> TestServer.count(dest, "SELECT count(*) FROM t") == expected);
            List<String> wal = rows(dest, "SELECT pg_current_wal_insert_lsn() > pg_current_wal_lsn()");
            destinationServer.crash();
            if (wal.equals(List.of("t"))) {
                crashesThatTookBackCommits++; // WAL inserted but not written: the crash took back the last commits
            }
            destinationServer.start();
            await("every row again after the crash, " + expected).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestServer.count(dest, "SELECT count(*) FROM t") == expected);
        }

        assertThat(crashesThatTookBackCommits).as("crashes with commits not yet written (else this test proves nothing)").isPositive();
        // a row applied twice would have failed the follow on the primary key; one lost would be missing
        MigrationCalls api = new MigrationCalls(port, null);
        assertThat(api.get("/api/v1/migrations/fdur").path("status").asString()).isEqualTo("streaming");
        assertThat(rows(dest, "SELECT count(*), count(DISTINCT id), sum(id) FROM t"))
                .isEqualTo(List.of(rows + "|" + rows + "|" + (long) rows * (rows + 1) / 2));
        assertThat(api.call("POST", "/api/v1/migrations/fdur/stop", null).status()).isEqualTo(200);
    }

    /**
     * While changes keep coming (never the quiet spell after which the apply itself reads what is on disk), the source still
     * hears what the destination has on disk: its slot moves on. The destination writes its WAL only when asked, so only the
     * follow's own reading of the flushed position can move it.
     */
    @Test
    void theSourceHearsWhatIsOnTheDestinationsDiskWhileChangesKeepComing() throws Exception {
        ConnectionDetails source = database("fack_src");
        ConnectionDetails dest = followIntoUnflushed("fack", source);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            try (Connection c = source.connect(); Statement st = c.createStatement()) {
                while (writing.get()) {
                    st.execute("INSERT INTO t VALUES (" + written.incrementAndGet() + ", 'x')"); // a transaction each, back to back
                }
            } catch (Exception e) {
                writing.set(false);
            }
        });
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 100);
            String position = rows(source, "SELECT pg_current_wal_lsn()").get(0);
            await("the slot confirmed past " + position + " while the writes go on").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> rows(source, "SELECT confirmed_flush_lsn >= '" + position + "' FROM pg_replication_slots WHERE slot_name = "
                            + "'pgmanager_fack'").equals(List.of("t")));
            assertThat(writing.get()).as("the writer still writes").isTrue();
        } finally {
            writing.set(false);
            writer.join();
        }
        int expected = written.get() - 1; // the last increment's INSERT may not have run
        await().atMost(Duration.ofSeconds(60)).until(() -> TestServer.count(dest, "SELECT count(*) FROM t") >= expected);
        assertThat(new MigrationCalls(port, null).call("POST", "/api/v1/migrations/fack/stop", null).status()).isEqualTo(200);
    }
}
