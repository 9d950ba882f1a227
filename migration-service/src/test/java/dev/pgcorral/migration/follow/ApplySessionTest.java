package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.TestServer;

/**
 * How the apply session commits: asynchronously, as a subscription's apply does, where no synchronous standby waits on the
 * destination (the follow then acknowledges what {@link ApplySession#flushed()} reads); with synchronous standbys, each
 * commit waits at least for the disk (a destination set to {@code off} is raised to {@code local}).
 */
class ApplySessionTest extends MigrationTestBase {

    @TempDir
    Path dir;

    @Test
    void withoutSynchronousStandbysCommitsAreAsynchronousWhateverTheDestinationsDefault() throws Exception {
        ConnectionDetails strict = database("apply_strict");
        sql(strict, "ALTER DATABASE apply_strict SET synchronous_commit = remote_apply");
        assertThat(synchronousCommitOfAFreshSession(strict)).as("the destination's own default").isEqualTo("remote_apply");
        assertThat(applySession(strict, "pgcorral_test_strict")).isEqualTo("off durable on commit: false");
    }

    @Test
    void withSynchronousStandbysEachCommitWaitsAtLeastForTheDisk() throws Exception {
        try (TestServer server = new TestServer(dir)) {
            server.create("lax"); // before the standby is named: CREATE DATABASE would wait for it
            ConnectionDetails lax = server.database("lax");
            sql(lax, "ALTER SYSTEM SET synchronous_standby_names = 'nobody'", "SELECT pg_reload_conf()");
            await().atMost(Duration.ofSeconds(30)).until(() -> rows(lax, "SHOW synchronous_standby_names").equals(List.of("nobody")));
            assertThat(synchronousCommitOfAFreshSession(lax)).as("the server's own default").isEqualTo("off");

            // (a setting that waits for the standby is kept, but with no standby here its commits would wait for ever)
            assertThat(applySession(lax, "pgcorral_test_lax")).isEqualTo("local durable on commit: true");
        }
    }

    /** The apply session's {@code synchronous_commit}, and whether it says its commits are durable once they return. */
    private static String applySession(ConnectionDetails db, String origin) throws SQLException, InterruptedException {
        Connection applying = db.connect();
        try (ApplySession session = new ApplySession(applying, db.connect(), origin, Duration.ofSeconds(5), trouble -> { }, new java.util.HashMap<>())) {
            return show(applying) + " durable on commit: " + session.durableOnCommit();
        } finally {
            sql(db, "SELECT pg_replication_origin_drop('" + origin + "')");
        }
    }

    private static String synchronousCommitOfAFreshSession(ConnectionDetails db) throws SQLException {
        try (Connection c = db.connect()) {
            return show(c);
        }
    }

    private static String show(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
