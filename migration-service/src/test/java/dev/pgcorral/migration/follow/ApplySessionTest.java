package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationTestBase;

/**
 * The source is acknowledged as soon as the destination's COMMIT returns, so that commit must be on disk: where the
 * destination runs with {@code synchronous_commit = off}, the apply session raises it to {@code local}; a setting that
 * already waits for the disk is kept.
 */
class ApplySessionTest extends MigrationTestBase {

    @Test
    void commitsReachTheDiskBeforeTheyReturnWhateverTheDestinationsDefault() throws Exception {
        ConnectionDetails lax = database("apply_lax");
        sql(lax, "ALTER DATABASE apply_lax SET synchronous_commit = off");
        assertThat(synchronousCommitOfAFreshSession(lax)).as("the destination's own default").isEqualTo("off");
        assertThat(synchronousCommitOfAnApplySession(lax, "pgcorral_test_lax")).isEqualTo("local");

        ConnectionDetails strict = database("apply_strict");
        sql(strict, "ALTER DATABASE apply_strict SET synchronous_commit = remote_apply");
        assertThat(synchronousCommitOfAnApplySession(strict, "pgcorral_test_strict")).isEqualTo("remote_apply");
    }

    private static String synchronousCommitOfAnApplySession(ConnectionDetails db, String origin) throws SQLException, InterruptedException {
        Connection applying = db.connect();
        try (ApplySession session = new ApplySession(applying, db.connect(), origin, Duration.ofSeconds(5), trouble -> { })) {
            return show(applying);
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
