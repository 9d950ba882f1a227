package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Switchover under writes: a writer inserts into the source as fast as it can; a switchover that cannot
 * finish in time (the destination's table locked) gives the source its writes back and the follow goes on;
 * the next one completes: every row the source accepted is on the destination, the source accepts none
 * after, the destination's sequence continues past the source's, the slot and publication are gone.
 * {@code clone_follow_switchover} switches over by itself once caught up.
 */
class SwitchoverTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void switchesOverUnderWritesLosingNothingAndGivesWritesBackWhenItCannot() throws Exception {
        ConnectionDetails source = database("so_src");
        ConnectionDetails dest = database("so_dst");
        sql(source, "CREATE TABLE orders (id bigserial PRIMARY KEY, v int NOT NULL)", "INSERT INTO orders (v) SELECT g FROM generate_series(1, 100) g");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("so", source, dest, "clone_and_follow");
        api.awaitStatus("so", "streaming", LIMIT);

        assertThat(api.call("POST", "/api/v1/migrations/so/switchover?timeout_sec=0", null).status()).isEqualTo(400);
        assertThat(api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": \"x\"}").status()).isEqualTo(400);
        // as curl -d sends it (form data's content type), with a query string too: the body is still read as JSON
        assertThat(api.callAsForm("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": \"x\"}").status()).isEqualTo(400);
        MigrationCalls.Reply zero = api.callAsForm("POST", "/api/v1/migrations/so/switchover?timeout_sec=0", "{\"timeout_sec\": 0}");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.body().path("detail").asString()).contains("timeout_sec must be between 1 and 3600 seconds, was 0");
        assertThat(api.callAsForm("POST", "/api/v1/migrations/so/switchover?timeout_sec=0", "{}").status()).isEqualTo(400);
        MigrationCalls.Reply misspelt = api.call("POST", "/api/v1/migrations/so/switchover?timeout=5", null);
        assertThat(misspelt.status()).as("ignored, it would switch over with another timeout than asked").isEqualTo(400);
        assertThat(misspelt.body().path("detail").asString()).isEqualTo("unknown query parameter timeout: this call takes timeout_sec");
        assertThat(api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout\": 5}").body().path("detail").asString())
                .isEqualTo("unknown key timeout in the body: this call takes timeout_sec");
        MigrationCalls.Reply twice = api.call("POST", "/api/v1/migrations/so/switchover?timeout_sec=5", "{\"timeout_sec\": 7}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().path("detail").asString())
                .isEqualTo("timeout_sec is 5 in the query and 7 in the body: give it once, or the same in both");
        MigrationCalls.Reply empty = api.call("POST", "/api/v1/migrations/so/switchover?timeout_sec=", null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body().path("detail").asString()).contains("timeout_sec is empty in the query");
        for (String huge : List.of("?timeout_sec=99999999999", "")) { // past an int: the same words as any value out of range
            MigrationCalls.Reply outOfRange = api.call("POST", "/api/v1/migrations/so/switchover" + huge,
                    huge.isEmpty() ? "{\"timeout_sec\": 99999999999}" : null);
            assertThat(outOfRange.status()).isEqualTo(400);
            assertThat(outOfRange.body().path("detail").asString()).contains("timeout_sec must be between 1 and 3600 seconds, was 99999999999");
        }
        MigrationCalls.Reply pastLong = api.call("POST", "/api/v1/migrations/so/switchover?timeout_sec=99999999999999999999", null);
        assertThat(pastLong.status()).isEqualTo(400);
        assertThat(pastLong.body().path("detail").asString()).contains("timeout_sec is out of range");
        for (String pastLongInTheBody : List.of("99999999999999999999", "1e30")) {
            MigrationCalls.Reply inBody = api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": " + pastLongInTheBody + "}");
            assertThat(inBody.status()).isEqualTo(400);
            assertThat(inBody.body().path("detail").asString()).isEqualTo("timeout_sec must be between 1 and 3600 seconds, was "
                    + (pastLongInTheBody.equals("1e30") ? "1.0E30" : pastLongInTheBody));
        }
        MigrationCalls.Reply written = api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": 1e2}");
        assertThat(written.body().path("detail").asString())
                .isEqualTo("timeout_sec must be a whole number written without a fraction or an exponent, was 100.0");
        assertThat(api.call("POST", "/api/v1/migrations/so/stop?keep_slot=true", "{\"keep_slot\": false}").status()).isEqualTo(400);
        // keep_slot is true or false, nothing else: a null was read as false (the slot to keep dropped), a yes or a 1 as true
        for (String[] call : List.of(new String[] {"", "{\"keep_slot\": null}", "keep_slot must be true or false, was null"},
                new String[] {"", "{\"keep_slot\": 1}", "keep_slot must be true or false, was 1"},
                new String[] {"?keep_slot=yes", null, "keep_slot must be true or false, was yes"},
                new String[] {"?keep_slot=1", null, "keep_slot must be true or false, was 1"})) {
            MigrationCalls.Reply refused = api.call("POST", "/api/v1/migrations/so/stop" + call[0], call[1]);
            assertThat(refused.status()).as(call[0] + call[1]).isEqualTo(400);
            assertThat(refused.body().path("detail").asString()).isEqualTo(call[2]);
        }
        assertThat(api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": null}").body().path("detail").asString())
                .isEqualTo("timeout_sec must be a whole number (a JSON number, not text), was null");
        assertThat(api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": \"10\"}").body().path("detail").asString())
                .isEqualTo("timeout_sec must be a whole number (a JSON number, not text), was \"10\"");
        assertThat(api.call("DELETE", "/api/v1/migrations/so?force=true&keep_slot=on", null).body().path("detail").asString())
                .isEqualTo("keep_slot must be true or false, was on");
        assertThat(api.get("/api/v1/migrations/so").path("status").asString()).as("no switchover began").isEqualTo("streaming");
        assertThat(api.call("POST", "/api/v1/migrations/nope/switchover", null).status()).isEqualTo(404);

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Thread writer = new Thread(() -> write(source, writing, accepted, refused));
        writer.start();
        try {
            await().atMost(LIMIT).until(() -> accepted.get() > 200);

            // the destination cannot apply (its table locked): the switchover times out and gives the writes back
            try (Connection lock = dest.connect(); Statement st = lock.createStatement()) {
                lock.setAutoCommit(false);
                st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
                assertThat(api.call("POST", "/api/v1/migrations/so/switchover", "{\"timeout_sec\": 1}").status()).isEqualTo(200);
                await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/so").path("live_events"))
                        .anySatisfy(e -> assertThat(e.path("type").asString()).isEqualTo("switchover_failed")));
                lock.rollback();
            }
            JsonNode failed = api.get("/api/v1/migrations/so");
            assertThat(failed.path("status").asString()).isEqualTo("streaming");
            assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("off");
            assertThat(rows(dest, "SHOW default_transaction_read_only")).as("the destination, held read-only meanwhile").containsExactly("off");
            long before = accepted.get();
            await().atMost(LIMIT).until(() -> accepted.get() > before + 50); // the writer writes again

            assertThat(api.call("POST", "/api/v1/migrations/so/switchover", null).status()).isEqualTo(200);
            JsonNode done = api.awaitStatus("so", "completed", LIMIT);
            assertThat(done.path("phase").asString()).isEqualTo("switchover_complete");
            MigrationCalls.Reply again = api.call("POST", "/api/v1/migrations/so/switchover", null);
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().path("detail").asString()).isEqualTo("migration \"so\" is not running: it switched over already, and "
                    + "its destination takes the writes");
            assertThat(api.get("/api/v1/migrations/so/logs")).extracting(l -> l.path("message").asString()).anySatisfy(m ->
                    assertThat(m).startsWith("switched over at").contains("1 sequence(s) set on the destination"));
            assertThat(done.path("switchover_downtime_ms").asLong()).isPositive();
            assertThat(done.path("switchover_lsn").asString()).isNotEmpty();
            JsonNode lastPhase = done.path("phases").get(done.path("phases").size() - 1);
            assertThat(lastPhase.path("phase").asString()).isEqualTo("switchover");
            assertThat(lastPhase.path("ended_at").asString()).as("the phase ended with the run").isNotEqualTo("0001-01-01T00:00:00Z");
            assertThat(done.path("tables_total").asInt()).as("the clone's record stays").isPositive();
            assertThat(Lsn.parse(done.path("confirmed_lsn").asString()).isAfter(Lsn.parse(done.path("switchover_lsn").asString())))
                    .as("applied past the sentinel").isTrue();
            await().atMost(LIMIT).until(() -> refused.get() > 0); // the writer met the read-only source
        } finally {
            writing.set(false);
            writer.join();
        }
        // every row the source took is on the destination, and the source takes no more
        long sourceRows = count(source, "SELECT count(*) FROM orders");
        assertThat(sourceRows).isEqualTo(100 + accepted.get());
        assertThat(count(dest, "SELECT count(*) FROM orders")).isEqualTo(sourceRows);
        assertThat(rows(dest, "SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM orders"))
                .isEqualTo(rows(source, "SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM orders"));
        assertThatThrownBy(() -> sql(source, "INSERT INTO orders (v) VALUES (0)")).hasMessageContaining("read-only");
        // the destination's sequence continues past the source's
        long next = count(dest, "INSERT INTO orders (v) VALUES (0) RETURNING id");
        assertThat(next).isGreaterThan(count(source, "SELECT max(id) FROM orders"));
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_so'")).containsExactly("0");
        assertThat(rows(source, "SELECT count(*) FROM pg_publication WHERE pubname = 'pgmanager_pub_so'")).containsExactly("0");
        // a start now is refused: it would clone the old source over the destination, where the writes go now
        MigrationCalls.Reply again = api.call("POST", "/api/v1/migrations/so/start", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("detail").asString()).contains("switched over").contains("create a new migration");
        assertThat(count(dest, "SELECT count(*) FROM orders")).isEqualTo(sourceRows + 1);
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE so_src RESET default_transaction_read_only");
    }

    @Test
    void aSwitchoverLeavesAnotherMigrationsCloneOfTheSameSourceAlone() throws Exception {
        ConnectionDetails source = database("shared_src");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)", "CREATE TABLE big (id int PRIMARY KEY)",
                "INSERT INTO big SELECT generate_series(1, 1000)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("first", source, database("shared_first"), "clone_and_follow");
        api.awaitStatus("first", "streaming", LIMIT);
        try (Connection application = source.connect(); Statement st = application.createStatement()) {
            st.execute("SET application_name = 'application'");
            application.setAutoCommit(false);
            st.execute("LOCK TABLE big IN ACCESS EXCLUSIVE MODE"); // the other migration's clone waits for it
            api.createAndStart("second", source, database("shared_second"), "clone_only");
            await().atMost(LIMIT).until(() -> !rows(source, "SELECT pid FROM pg_stat_activity WHERE datname = 'shared_src' "
                    + "AND application_name = 'pgcorral' AND wait_event_type = 'Lock'").isEmpty());
            // the switchover ends the application's session (so the lock goes), not the service's own clone session
            assertThat(api.call("POST", "/api/v1/migrations/first/switchover", null).status()).isEqualTo(200);
            api.awaitStatus("first", "completed", LIMIT);
        }
        api.awaitStatus("second", "completed", LIMIT);
        assertThat(rows(database("shared_second"), "SELECT count(*) FROM big")).containsExactly("1000");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE shared_src RESET default_transaction_read_only");
    }

    @Test
    void cloneFollowSwitchoverSwitchesOverByItself() throws Exception {
        ConnectionDetails source = database("auto_src");
        ConnectionDetails dest = database("auto_dst");
        sql(source, "CREATE TABLE t (id serial PRIMARY KEY, v text)", "INSERT INTO t (v) SELECT 'v' || g FROM generate_series(1, 1000) g");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("auto", source, dest, "clone_follow_switchover");
        JsonNode done = api.awaitStatus("auto", "completed", LIMIT);
        assertThat(done.path("phase").asString()).isEqualTo("switchover_complete");
        assertThat(rows(dest, "SELECT count(*) FROM t")).containsExactly("1000");
        assertThat(count(dest, "INSERT INTO t (v) VALUES ('new') RETURNING id")).isEqualTo(1001);
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_auto'")).containsExactly("0");
        assertThat(api.call("POST", "/api/v1/migrations/auto/switchover", null).status()).isEqualTo(409);
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE auto_src RESET default_transaction_read_only");
    }

    @Test
    void unloggedTablesTheFollowCannotSeeAreCopiedAgainByTheSwitchover() throws Exception {
        ConnectionDetails source = database("unl_src");
        ConnectionDetails dest = database("unl_dst");
        sql(source, "CREATE TABLE t (id serial PRIMARY KEY, v text)",
                "CREATE UNLOGGED TABLE cache (k int PRIMARY KEY, v text)", "INSERT INTO cache SELECT g, 'v' || g FROM generate_series(1, 10) g",
                "CREATE UNLOGGED TABLE cache_item (k int REFERENCES cache, n int)", "INSERT INTO cache_item VALUES (1, 1), (2, 2)",
                "CREATE UNLOGGED TABLE was_unlogged (k int PRIMARY KEY)", "INSERT INTO was_unlogged VALUES (1)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("unl", source, dest, "clone_and_follow");
        api.awaitStatus("unl", "streaming", LIMIT);
        assertThat(api.get("/api/v1/migrations/unl/logs")).extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).startsWith("unlogged tables: public.cache, public.cache_item, public.was_unlogged.")
                        .contains("a switchover copies them again"));

        sql(source, "INSERT INTO cache SELECT g, 'v' || g FROM generate_series(11, 15) g", "UPDATE cache SET v = 'changed' WHERE k <= 3",
                "DELETE FROM cache_item WHERE k = 2", "DELETE FROM cache WHERE k = 2", "INSERT INTO cache_item VALUES (15, 15)",
                "INSERT INTO was_unlogged VALUES (2)", "INSERT INTO t (v) VALUES ('logged')");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("1")));
        // made logged while followed: what changed before is still not on the destination, and the switchover copies it too
        sql(source, "ALTER TABLE was_unlogged SET LOGGED");
        api.awaitStatus("unl", "failed", LIMIT);
        sql(dest, "ALTER TABLE was_unlogged SET LOGGED");
        assertThat(api.call("POST", "/api/v1/migrations/unl/start", null).status()).isEqualTo(200);
        api.awaitStatus("unl", "streaming", LIMIT);
        sql(source, "INSERT INTO was_unlogged VALUES (3)", "INSERT INTO t (v) VALUES ('logged')");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("2")));
        assertThat(rows(dest, "SELECT string_agg(k::text, ',' ORDER BY k) FROM was_unlogged")).containsExactly("1,3");

        // an unlogged table the destination lacks: refused before the source's writes stop
        sql(dest, "ALTER TABLE cache_item RENAME TO cache_item_away");
        assertThat(api.call("POST", "/api/v1/migrations/unl/switchover", null).status()).isEqualTo(200);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/unl/logs")).extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).contains("the destination lacks unlogged table(s) public.cache_item")
                        .contains("the source's writes were not touched")));
        api.awaitStatus("unl", "streaming", LIMIT);
        sql(source, "INSERT INTO t (v) VALUES ('still writable')");
        sql(dest, "ALTER TABLE cache_item_away RENAME TO cache_item");
        String cache = "SELECT string_agg(k || ':' || v, ',' ORDER BY k) FROM cache";
        String items = "SELECT string_agg(k || ':' || n, ',' ORDER BY k) FROM cache_item";
        assertThat(rows(dest, cache)).as("the WAL carries no change of an unlogged table").isNotEqualTo(rows(source, cache));
        // a compare says why they differ; was_unlogged, logged now, differs with no such word
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM t").equals(List.of("3")));
        String why = " (unlogged on the source: its changes are not in the WAL, so no follow carries them; a switchover copies it again)";
        JsonNode compared = api.call("POST", "/api/v1/migrations/unl/compare", null).body();
        assertThat(compared.path("tables")).filteredOn(table -> !table.path("equal").asBoolean())
                .extracting(table -> table.path("name").asString() + ": " + table.path("difference").asString())
                .containsExactlyInAnyOrder("cache: 4 fewer row(s) on the destination" + why,
                        "cache_item: same row count, different content" + why, "was_unlogged: 1 fewer row(s) on the destination");

        assertThat(api.call("POST", "/api/v1/migrations/unl/switchover", null).status()).isEqualTo(200);
        api.awaitStatus("unl", "completed", LIMIT);
        assertThat(rows(dest, cache)).isEqualTo(rows(source, cache));
        assertThat(rows(dest, items)).containsExactly("1:1,15:15");
        assertThat(rows(dest, "SELECT string_agg(k::text, ',' ORDER BY k) FROM was_unlogged")).containsExactly("1,2,3");
        assertThat(api.get("/api/v1/migrations/unl/logs")).extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).contains("unlogged tables copied again while writes are stopped")
                        .contains("public.cache (14 rows)").contains("public.cache_item (2 rows)"));
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE unl_src RESET default_transaction_read_only");
    }

    @Test
    void fallbackReplicatesTheDestinationBackWithoutEcho() throws Exception {
        ConnectionDetails source = database("fb_src");
        ConnectionDetails dest = database("fb_dst");
        sql(source, "CREATE TABLE items (id serial PRIMARY KEY, v text)", "INSERT INTO items (v) SELECT 'v' || g FROM generate_series(1, 10) g");
        MigrationCalls api = followWithFallback("fb", source, dest);
        sql(source, "INSERT INTO items (v) VALUES ('before the switchover')");
        assertThat(api.call("POST", "/api/v1/migrations/fb/switchover", null).status()).isEqualTo(200);
        api.awaitStatus("fb", "completed", LIMIT);
        JsonNode reverse = api.awaitStatus("fb-reverse", "streaming", LIMIT);
        assertThat(reverse.path("mode").asString()).isEqualTo("follow_only");
        assertThat(reverse.path("source_cluster_id").asString()).isEqualTo(api.get("/api/v1/migrations/fb").path("dest_cluster_id").asString());

        // the application now writes to the destination; each change comes back to the source, once
        sql(dest, "INSERT INTO items (v) VALUES ('after, on the destination')", "UPDATE items SET v = 'changed' WHERE id = 1",
                "DELETE FROM items WHERE id = 2");
        String content = "SELECT md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM items";
        await().atMost(LIMIT).until(() -> rows(source, content).equals(rows(dest, content)));
        assertThat(rows(source, "SELECT v FROM items WHERE id = 12")).containsExactly("after, on the destination");
        await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/fb-reverse").path("live_transactions_applied").asLong() == 3);
        assertThat(rows(dest, "SELECT count(*) FROM items")).as("nothing echoed back to the destination").containsExactly("11");
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fb'")).containsExactly("0");

        // the writes move back: the source, read-only since the first switchover, takes them again
        assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("on");
        assertThat(api.call("POST", "/api/v1/migrations/fb-reverse/switchover", null).status()).isEqualTo(200);
        assertThat(api.awaitStatus("fb-reverse", "completed", LIMIT).path("phase").asString()).isEqualTo("switchover_complete");
        assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("off");
        assertThat(rows(dest, "SHOW default_transaction_read_only")).containsExactly("on");
        assertThat(count(source, "INSERT INTO items (v) VALUES ('back on the source') RETURNING id")).isEqualTo(13);
        assertThat(rows(dest, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fb_reverse'")).containsExactly("0");
        sql(dest, "SET default_transaction_read_only = off", "ALTER DATABASE fb_dst RESET default_transaction_read_only");
    }

    @Test
    void aFallbacksReverseStoppedWithItsSlotDroppedRefusesAStart() throws Exception {
        ConnectionDetails source = database("fbs_src");
        ConnectionDetails dest = database("fbs_dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        MigrationCalls api = followWithFallback("fbs", source, dest);
        assertThat(api.call("POST", "/api/v1/migrations/fbs/switchover", null).status()).isEqualTo(200);
        api.awaitStatus("fbs-reverse", "streaming", LIMIT);

        assertThat(api.call("POST", "/api/v1/migrations/fbs-reverse/stop", null).status()).isEqualTo(200);
        api.awaitStatus("fbs-reverse", "stopped", LIMIT);
        assertThat(rows(dest, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fbs_reverse'")).containsExactly("0");
        // what the destination takes from now on is kept nowhere for it: a start would follow a slot made later, losing it
        sql(dest, "INSERT INTO items VALUES (2)");
        MigrationCalls.Reply again = api.call("POST", "/api/v1/migrations/fbs-reverse/start", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("detail").asString()).contains("which its stop or delete dropped")
                .contains("the changes made since are kept nowhere");
        assertThat(api.get("/api/v1/migrations/fbs-reverse").path("status").asString()).isEqualTo("stopped");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE fbs_src RESET default_transaction_read_only");
    }

    @Test
    void aFallbackTheSourceCouldNotApplyIsRefusedBeforeWritesStop() throws Exception {
        ConnectionDetails source = ownedByPlainRole("fbr_src", "fbr");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        ConnectionDetails dest = database("fbr_dst");
        MigrationCalls api = followWithFallback("fbr", source, dest);

        assertThat(api.call("POST", "/api/v1/migrations/fbr/switchover", null).status()).isEqualTo(200);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/fbr").path("live_events"))
                .anySatisfy(e -> assertThat(e.path("message").asString()).contains("pg_replication_origin_session_setup(text)")
                        .contains("fbr")));
        JsonNode after = api.awaitStatus("fbr", "streaming", LIMIT);
        assertThat(after.path("switchover_downtime_ms").isMissingNode() || after.path("switchover_downtime_ms").isNull()).as(after.toString()).isTrue();
        sql(source, "INSERT INTO items VALUES (2)"); // the source kept its writes
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM items").equals(java.util.List.of("2")));
    }

    @Test
    void aSequenceMadeOnTheSourceWhileFollowingIsFoundBeforeWritesStopAndSetOnceItIsThere() throws Exception {
        ConnectionDetails source = database("seq_src");
        ConnectionDetails dest = database("seq_dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("seq", source, dest, "clone_and_follow");
        api.awaitStatus("seq", "streaming", LIMIT);
        sql(source, "CREATE SEQUENCE late_seq START 500", "SELECT nextval('late_seq')", "SELECT nextval('late_seq')");

        assertThat(api.call("POST", "/api/v1/migrations/seq/switchover", null).status()).isEqualTo(200);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/seq").path("live_events"))
                .anySatisfy(e -> assertThat(e.path("message").asString()).contains("the destination lacks sequence(s) public.late_seq")
                        .contains("the source's writes were not touched")));
        api.awaitStatus("seq", "streaming", LIMIT);
        sql(source, "INSERT INTO items VALUES (2)"); // never stopped
        assertThat(api.get("/api/v1/migrations/seq/logs")).extracting(l -> l.path("message").asString())
                .allSatisfy(m -> assertThat(m).doesNotContain("writes stopped on the source"));

        sql(dest, "CREATE SEQUENCE late_seq START 500");
        assertThat(api.call("POST", "/api/v1/migrations/seq/switchover", null).status()).isEqualTo(200);
        api.awaitStatus("seq", "completed", LIMIT);
        assertThat(rows(dest, "SELECT nextval('late_seq')")).containsExactly("502");
        assertThat(rows(dest, "SELECT count(*) FROM items")).containsExactly("2");
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE seq_src RESET default_transaction_read_only");
    }

    @Test
    void aSourceUserThatCouldNotStopEveryWriteIsRefusedBeforeWritesStop() throws Exception {
        ConnectionDetails source = ownedByPlainRole("sr_src", "sr_owner");
        ConnectionDetails admin = database("sr_src");
        sql(source, "CREATE TABLE orders (id bigserial PRIMARY KEY, who text NOT NULL)");
        sql(admin, "CREATE ROLE sr_app LOGIN PASSWORD 'sr_app-pw'", "GRANT INSERT ON orders TO sr_app",
                "GRANT USAGE ON SEQUENCE orders_id_seq TO sr_app");
        ConnectionDetails app = new ConnectionDetails(admin.host(), admin.port(), admin.database(), "sr_app", "sr_app-pw");
        ConnectionDetails dest = database("sr_dst");
        ConnectionDetails otherDest = database("sr_other_dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("sr", source, dest, "clone_and_follow");
        api.awaitStatus("sr", "streaming", LIMIT);

        // a user that does not own the source database could not make it read-only: refused before anything changes
        sql(admin, "ALTER DATABASE sr_src OWNER TO " + admin.user());
        assertThat(api.call("POST", "/api/v1/migrations/sr/switchover", null).status()).isEqualTo(200);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/sr").path("live_events"))
                .anySatisfy(e -> assertThat(e.path("message").asString()).contains("does not own database sr_src")));
        api.awaitStatus("sr", "streaming", LIMIT);
        assertThat(api.get("/api/v1/migrations/sr/logs")).extracting(l -> l.path("message").asString())
                .noneSatisfy(m -> assertThat(m).contains("give writes back")).noneSatisfy(m -> assertThat(m).contains("given back"));
        sql(admin, "ALTER DATABASE sr_src OWNER TO sr_owner");

        try (Connection session = app.connect(); Statement st = session.createStatement()) {
            st.execute("SET application_name = 'application'");
            st.execute("INSERT INTO orders (who) VALUES ('app')");
            // the source's user may not end it: refused before the writes stop, naming the role and the grant
            assertThat(api.call("POST", "/api/v1/migrations/sr/switchover", null).status()).isEqualTo(200);
            await().atMost(LIMIT).untilAsserted(() -> assertThat(api.get("/api/v1/migrations/sr").path("live_events"))
                    .anySatisfy(e -> assertThat(e.path("message").asString()).contains("sessions of role(s) sr_app")
                            .contains("pg_signal_backend").contains("the source's writes were not touched")));
            api.awaitStatus("sr", "streaming", LIMIT);
            st.execute("INSERT INTO orders (who) VALUES ('app')"); // its session was left alone and writes on
            assertThat(rows(source, "SHOW default_transaction_read_only")).containsExactly("off");

            // allowed to end it: the switchover ends the session, and every row it wrote is on the destination; another
            // migration's stream from the same database (a superuser's, whose sessions it may not end) only reads, and stays
            api.createAndStart("sr-other", admin, otherDest, "clone_and_follow");
            api.awaitStatus("sr-other", "streaming", LIMIT);
            sql(admin, "GRANT pg_signal_backend TO sr_owner");
            assertThat(api.call("POST", "/api/v1/migrations/sr/switchover", null).status()).isEqualTo(200);
            api.awaitStatus("sr", "completed", LIMIT);
            assertThatThrownBy(() -> st.execute("INSERT INTO orders (who) VALUES ('app')")).as("ended by the switchover")
                    .isInstanceOf(SQLException.class);
        }
        assertThat(rows(dest, "SELECT count(*) FROM orders")).containsExactly("2");
        assertThat(rows(otherDest, "SELECT count(*) FROM orders")).containsExactly("2");
        assertThat(api.get("/api/v1/migrations/sr-other").path("status").asString()).isEqualTo("streaming");
        assertThat(api.get("/api/v1/migrations/sr-other").path("live_events")).as("its stream was left alone")
                .noneSatisfy(e -> assertThat(e.path("type").asString()).isEqualTo("stream_resumed"));
        assertThat(api.call("POST", "/api/v1/migrations/sr-other/stop", null).status()).isEqualTo(200);
        api.awaitStatus("sr-other", "stopped", LIMIT);
        sql(source, "SET default_transaction_read_only = off", "ALTER DATABASE sr_src RESET default_transaction_read_only");
    }

    /** A {@code clone_and_follow} migration with {@code fallback}, started and streaming. */
    private MigrationCalls followWithFallback(String id, ConnectionDetails source, ConnectionDetails dest) throws Exception {
        MigrationCalls api = new MigrationCalls(port, null);
        String body = api.migrationBody(id, api.cluster(id + "-source", source), api.cluster(id + "-destination", dest), "clone_and_follow")
                .replace("\"copy_workers\":2", "\"copy_workers\":2,\"fallback\":true");
        assertThat(api.call("POST", "/api/v1/migrations", body).status()).isEqualTo(201);
        assertThat(api.call("POST", "/api/v1/migrations/" + id + "/start", null).status()).isEqualTo(200);
        api.awaitStatus(id, "streaming", LIMIT);
        return api;
    }

    /** The application: inserts one row per transaction until told to stop; counts what the source accepted and refused. */
    private static void write(ConnectionDetails source, AtomicBoolean writing, AtomicLong accepted, AtomicLong refused) {
        while (writing.get()) {
            try (Connection c = source.connect(); Statement st = c.createStatement()) {
                st.execute("SET application_name = 'application'"); // not the service's own name, which a switchover spares
                while (writing.get()) {
                    st.executeUpdate("INSERT INTO orders (v) VALUES (1)");
                    accepted.incrementAndGet();
                }
            } catch (SQLException e) {
                if (e.getMessage().contains("read-only")) {
                    refused.incrementAndGet();
                }
                // ended by the switchover, or refused: connect again, as an application's pool would
            }
        }
    }
}
