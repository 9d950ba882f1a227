package dev.pgcorral.migration.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.TestServer;

/**
 * A clone reported complete is on disk on the destination, even where the destination commits with
 * {@code synchronous_commit} off: a crash of its server right after loses none of it.
 */
class CloneDurabilityTest extends MigrationTestBase {

    @TempDir
    Path dir;

    private TestServer destinationServer;

    @AfterEach
    void stopServer() {
        if (destinationServer != null) {
            destinationServer.close();
        }
    }

    @Test
    void aCompletedCloneSurvivesACrashOfTheDestinationRightAfter() throws Exception {
        ConnectionDetails source = database("durable_src");
        sql(source, "CREATE TABLE t (id int, v text)", "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20) g");
        // synchronous_commit off (the throwaway settings): only a flush puts the clone's last commits on disk at once
        destinationServer = new TestServer(dir, TestServer.UNFLUSHED_UNTIL_ASKED);
        destinationServer.create("dst");
        ConnectionDetails dest = destinationServer.database("dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("durable", source, dest, "clone_only");
        api.awaitStatus("durable", "completed", Duration.ofSeconds(60));

        List<String> wal = rows(dest, "SELECT pg_current_wal_insert_lsn() <= pg_current_wal_flush_lsn(), pg_current_wal_insert_lsn(), "
                + "pg_current_wal_flush_lsn()");
        assertThat(wal.get(0)).as("every WAL record the clone wrote is flushed (true|inserted|flushed)").startsWith("t|");

        destinationServer.crash();
        destinationServer.start();

        assertThat(TestServer.count(dest, "SELECT count(*) FROM t")).isEqualTo(20);
        assertThat(rows(dest, "SELECT sum(id) FROM t")).isEqualTo(List.of("210"));
        assertThat(count(dest, "SELECT count(*) FROM pg_stats WHERE tablename = 't'")).as("the clone's ANALYZE, its last write").isEqualTo(2);
    }
}
