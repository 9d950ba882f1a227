package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.TestServer;

/**
 * A {@code follow_only} migration (of the user's slot) stopped while its source is down: the slot cannot be moved up to
 * what the destination applied, so the origin that records it stays, a delete is refused, and a start once the source is
 * back follows on from the origin, applying nothing twice.
 */
class FollowOnlySourceDownTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path sourceDir;

    @Test
    void aFollowOnlyMigrationStoppedWhileItsSourceIsDownKeepsItsOriginAndFollowsOnFromItOnceTheSourceIsBack() throws Exception {
        try (TestServer sourceServer = new TestServer(sourceDir)) {
            sourceServer.create("src");
            ConnectionDetails source = sourceServer.database("src");
            ConnectionDetails dest = database("down_dst");
            for (ConnectionDetails db : List.of(source, dest)) {
                sql(db, "CREATE TABLE a (id int PRIMARY KEY)");
            }
            sql(source, "CREATE PUBLICATION pgmanager_pub_down FOR TABLE a",
                    "SELECT pg_create_logical_replication_slot('pgmanager_down', 'pgoutput')");
            MigrationCalls api = new MigrationCalls(port, null);
            api.createAndStart("down", source, dest, "follow_only");
            api.awaitStatus("down", "streaming", LIMIT);
            sql(source, "INSERT INTO a SELECT generate_series(1, 100)");
            await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM a").equals(List.of("100")));

            sourceServer.stop();
            assertThat(api.call("POST", "/api/v1/migrations/down/stop", null).status()).isEqualTo(200);
            api.awaitStatus("down", "stopped", LIMIT);
            assertThat(api.get("/api/v1/migrations/down/logs")).extracting(l -> l.path("message").asString())
                    .anySatisfy(m -> assertThat(m).startsWith("stopped: its origin on the destination stays, so that a start follows on "
                            + "from where it got: slot pgmanager_down could not be moved up to that ("));
            assertThat(rows(dest, "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgcorral_down'")).containsExactly("1");
            MigrationCalls.Reply refused = api.call("DELETE", "/api/v1/migrations/down", null);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.body().path("detail").asString()).contains("could not be moved up to what the destination applied")
                    .contains("keep_slot=true");
            assertThat(api.get("/api/v1/migrations/down").path("status").asString()).isEqualTo("stopped");
            assertThat(rows(dest, "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgcorral_down'")).containsExactly("1");

            sourceServer.start();
            sql(source, "INSERT INTO a SELECT generate_series(101, 150)");
            assertThat(api.call("POST", "/api/v1/migrations/down/start", null).status()).isEqualTo(200);
            await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM a").equals(List.of("150"))
                    || api.get("/api/v1/migrations/down").path("status").asString().equals("failed"));
            assertThat(api.get("/api/v1/migrations/down").path("error_message").asString()).as("no duplicate key").isEmpty();
            assertThat(api.get("/api/v1/migrations/down/logs")).extracting(l -> l.path("message").asString())
                    .as("the start follows on from the origin, not from the slot's position")
                    .anySatisfy(m -> assertThat(m).matches("following from [0-9A-F]+/[0-9A-F]+ \\(slot pgmanager_down\\)"));
            assertThat(rows(dest, "SELECT count(*) FROM a")).containsExactly("150");

            // the source answers now: the stop moves the slot up, drops the origin, and the delete goes through
            assertThat(api.call("POST", "/api/v1/migrations/down/stop", null).status()).isEqualTo(200);
            api.awaitStatus("down", "stopped", LIMIT);
            assertThat(rows(dest, "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgcorral_down'")).containsExactly("0");
            assertThat(api.call("DELETE", "/api/v1/migrations/down", null).status()).isEqualTo(204);
            sql(source, "SELECT pg_drop_replication_slot('pgmanager_down')");
        }
    }
}
