package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * {@code clone_and_follow} through the API: every kind of change (each replica identity, NULLs, unchanged
 * TOAST, key changes, duplicates without a key, json and point, TRUNCATE, a transaction larger than a
 * batch, rows told apart only by a case-insensitive collation, xml fragments where the destination parses documents) reaches
 * the destination, which then compares equal; stop drops the slot and the publication.
 * And what a follow says, or stops on, with what to do: tables without a replica identity, a schema change,
 * a row the destination lacks.
 */
class FollowTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void followsEveryKindOfChangeUntilStoppedThenDropsItsSlot() throws Exception {
        ConnectionDetails source = database("follow_src");
        ConnectionDetails dest = database("follow_dst");
        sql(source,
                "CREATE TABLE keyed (id int PRIMARY KEY, name text, note text, doc jsonb)",
                "INSERT INTO keyed SELECT g, 'name ' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'n' END, jsonb_build_object('g', g) "
                        + "FROM generate_series(1, 100) g",
                "CREATE TABLE full_ident (a int, j json, p point, t text)",
                "ALTER TABLE full_ident REPLICA IDENTITY FULL",
                "INSERT INTO full_ident VALUES (1, '{\"a\": 1}', '(1,2)', 'x'), (1, '{\"a\": 1}', '(1,2)', 'x'), (2, NULL, NULL, NULL)",
                "CREATE TABLE by_index (code text NOT NULL, v int)",
                "CREATE UNIQUE INDEX by_index_code ON by_index (code)",
                "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code",
                "INSERT INTO by_index SELECT 'c' || g, g FROM generate_series(1, 20) g",
                "CREATE TABLE toasted (id int PRIMARY KEY, big text, counter int)",
                "INSERT INTO toasted SELECT g, (SELECT string_agg(md5(random()::text || g || s), '') FROM generate_series(1, 400) s), 0 "
                        + "FROM generate_series(1, 5) g",
                "CREATE TABLE wiped (id int PRIMARY KEY)",
                "INSERT INTO wiped SELECT generate_series(1, 10)",
                "CREATE TABLE composite (k1 int, k2 text, v text, PRIMARY KEY (k1, k2))",
                "INSERT INTO composite VALUES (1, 'a', 'one'), (2, 'b', 'two')",
                "CREATE COLLATION blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false)", // 'abc' = 'ABC'
                "CREATE TABLE case_blind (a int, t text COLLATE blind)",
                "ALTER TABLE case_blind REPLICA IDENTITY FULL",
                "INSERT INTO case_blind VALUES (1, 'abc'), (1, 'ABC'), (2, 'x'), (2, 'X')",
                "CREATE TABLE equal_not_same (k int, f float8, n numeric, iv interval, j jsonb)", // = deems both rows equal
                "ALTER TABLE equal_not_same REPLICA IDENTITY FULL",
                "INSERT INTO equal_not_same VALUES (1, 0, 1.0, '1 day', '{\"a\": 1.0}'), (1, '-0', 1.00, '24 hours', '{\"a\": 1}')",
                "CREATE TABLE fragments (id int PRIMARY KEY, x xml)", // content, not a document: the destination parses it as such
                "INSERT INTO fragments VALUES (1, 'one <b>bold</b> fragment')",
                "CREATE PUBLICATION app_pub FOR TABLE keyed, composite");
        sql(dest, "ALTER DATABASE follow_dst SET xmloption = document");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("follow", source, dest, "clone_and_follow");
        JsonNode streaming = api.awaitStatus("follow", "streaming", LIMIT);
        assertThat(streaming.path("phase").asString()).isEqualTo("streaming");
        String publications = "SELECT pubname || ':' || (SELECT count(*) FROM pg_publication_rel WHERE prpubid = p.oid) FROM pg_publication p";
        assertThat(rows(dest, publications)).as("the user's publication is copied, not the one the migration made for its slot")
                .containsExactly("app_pub:2");
        // another clone of that source, while this migration follows it: none of the follow's plumbing is copied either
        ConnectionDetails copy = database("follow_copy");
        api.createAndStart("follow-copy", source, copy, "clone_only");
        api.awaitStatus("follow-copy", "completed", LIMIT);
        assertThat(rows(copy, publications)).containsExactly("app_pub:2");
        assertThat(rows(copy, "SELECT (SELECT count(*) FROM pg_event_trigger) || ':' || (SELECT count(*) FROM pg_namespace"
                + " WHERE nspname = 'pgcorral_migration')")).as("event triggers, the DDL capture's schema").containsExactly("0:0");
        assertThat(rows(source, "SELECT count(*) FROM pg_event_trigger")).as("the source has them (changes, drops)").containsExactly("2");
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_follow'")).containsExactly("1");

        sql(source,
                "INSERT INTO keyed VALUES (101, NULL, NULL, NULL), (102, 'with ''quote'' and \\ backslash', 'fôur ✓', '{\"deep\": [1, 2]}')",
                "UPDATE keyed SET name = NULL WHERE id BETWEEN 11 AND 20",
                "UPDATE keyed SET id = id + 1000 WHERE id <= 10",
                "DELETE FROM keyed WHERE id % 7 = 0",
                "UPDATE full_ident SET t = 'y' WHERE ctid = (SELECT ctid FROM full_ident WHERE a = 1 LIMIT 1)",
                "UPDATE full_ident SET t = 'was null' WHERE a = 2",
                "DELETE FROM full_ident WHERE ctid = (SELECT ctid FROM full_ident WHERE a = 1 AND t = 'x' LIMIT 1)",
                "INSERT INTO full_ident VALUES (3, '[1, 2]', '(0,0)', NULL)",
                "UPDATE by_index SET v = v * 10 WHERE v <= 5",
                "UPDATE by_index SET code = 'renamed' WHERE code = 'c7'",
                "DELETE FROM by_index WHERE code = 'c8'",
                "UPDATE toasted SET counter = counter + 1", // big is not sent: unchanged TOAST must stay as it is
                "UPDATE toasted SET big = 'small now' WHERE id = 5",
                "TRUNCATE wiped",
                "INSERT INTO wiped VALUES (100)",
                "UPDATE composite SET v = 'uno' WHERE k1 = 1 AND k2 = 'a'",
                "UPDATE composite SET k2 = 'bb' WHERE k1 = 2",
                "BEGIN",
                "INSERT INTO keyed SELECT g, 'bulk', NULL, NULL FROM generate_series(10000, 13000) g",
                "UPDATE keyed SET note = 'bulk updated' WHERE id >= 10000",
                "COMMIT",
                "BEGIN", "INSERT INTO keyed VALUES (99999, 'rolled back', NULL, NULL)", "ROLLBACK",
                // a hot row: many updates of one row, between them other rows' changes, a delete and an insert of it
                "DO $$BEGIN FOR i IN 1..300 LOOP UPDATE keyed SET note = 'hot ' || i WHERE id = 50; "
                        + "UPDATE composite SET v = 'c' || i WHERE k1 = 1; IF i = 150 THEN DELETE FROM keyed WHERE id = 50; "
                        + "INSERT INTO keyed VALUES (50, 'again', 'reborn', NULL); END IF; END LOOP; END$$",
                "UPDATE keyed SET note = 'last' WHERE id = 51", "UPDATE keyed SET note = 'last, really' WHERE id = 51",
                "INSERT INTO fragments VALUES (2, 'two <i>fragments</i>, <b>side</b> by side')",
                // rows found by all their values: the very ones, not those the collation only deems equal
                "UPDATE case_blind SET a = 10 WHERE t::bytea = 'ABC'::bytea", "DELETE FROM case_blind WHERE t::bytea = 'X'::bytea",
                // and the very values, not those the type's = deems equal
                "UPDATE equal_not_same SET k = 2 WHERE f::text = '-0'");

        await().atMost(LIMIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode compare = api.call("POST", "/api/v1/migrations/follow/compare", null).body();
            assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
        });
        assertThat(api.call("POST", "/api/v1/migrations/follow/compare", null).body().has("note")).as("equal: nothing to bear in mind").isFalse();
        assertThat(rows(dest, "SELECT k || ' ' || f || ' ' || n || ' ' || iv || ' ' || j FROM equal_not_same ORDER BY k"))
                .containsExactly("1 0 1.0 1 day {\"a\": 1.0}", "2 -0 1.00 24:00:00 {\"a\": 1}");
        sql(dest, "INSERT INTO wiped VALUES (424242)"); // a difference while following: the answer says it may be one in flight
        JsonNode differs = api.call("POST", "/api/v1/migrations/follow/compare", null).body();
        assertThat(differs.path("equal").asBoolean()).isFalse();
        assertThat(differs.path("note").asString()).startsWith("the migration follows the source").contains("bytes behind")
                .contains("after a switchover");
        sql(dest, "DELETE FROM wiped WHERE id = 424242");
        assertThat(rows(dest, "SELECT counter, length(big) FROM toasted ORDER BY id"))
                .containsExactly("1|12800", "1|12800", "1|12800", "1|12800", "1|9");
        assertThat(rows(dest, "SELECT count(*) FROM keyed WHERE name IS NULL")).containsExactly("10");
        assertThat(rows(dest, "SELECT count(*) FROM keyed WHERE id = 99999")).containsExactly("0");
        assertThat(rows(dest, "SELECT name || ':' || note FROM keyed WHERE id IN (50, 51) ORDER BY id"))
                .containsExactly("again:hot 300", "name 51:last, really");

        JsonNode live = api.get("/api/v1/migrations/follow");
        assertThat(live.path("live_phase").asString()).isEqualTo("streaming");
        assertThat(live.path("live_tables").valueStream().map(t -> t.path("status").asString()).distinct().toList())
                .as("every table streams once the follow does, as pgmanager says").containsExactly("streaming");
        assertThat(live.path("live_lsn").asString()).isNotEqualTo("0/0");
        assertThat(live.path("live_lag_formatted").asString()).contains("(latency: ");
        assertThat(live.path("live_transactions_applied").asLong()).as("one per source transaction committed").isEqualTo(25);
        await().atMost(LIMIT).until(() -> api.get("/api/v1/migrations/follow").has("confirmed_lsn"));
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("pgcorral_migration_follow_lag_bytes ", "pgcorral_migration_follow_lag_seconds ")
                .containsPattern("pgcorral_migration_follow_transactions [1-9]");

        assertThat(api.call("POST", "/api/v1/migrations/follow/stop", null).status()).isEqualTo(200);
        JsonNode stopped = api.awaitStatus("follow", "stopped", LIMIT);
        assertThat(stopped.path("phase").asString()).isEqualTo("stopped");
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_follow'")).containsExactly("0");
        assertThat(rows(source, "SELECT count(*) FROM pg_publication WHERE pubname = 'pgmanager_pub_follow'")).containsExactly("0");
    }

    @Test
    void saysWhatStopsAFollowAndGoesOnOnceFixed() throws Exception {
        ConnectionDetails source = database("fix_src");
        ConnectionDetails dest = database("fix_dst");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY, v int)", "INSERT INTO items SELECT g, g FROM generate_series(1, 10) g",
                "CREATE TABLE events (at timestamptz, what text)", "INSERT INTO events VALUES (now(), 'started')");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("fix", source, dest, "clone_and_follow");

        api.awaitStatus("fix", "streaming", LIMIT);

        // a table without a replica identity is followed (its INSERTs), and the log says what PostgreSQL refuses on it and the fix
        assertThat(api.get("/api/v1/migrations/fix/logs")).extracting(l -> l.path("message").asString()).anySatisfy(m ->
                assertThat(m).contains("without a replica identity").contains("public.events").contains("REPLICA IDENTITY FULL"));
        assertThatThrownBy(() -> sql(source, "UPDATE events SET what = 'x'")).hasMessageContaining("replica identity");
        sql(source, "INSERT INTO events VALUES (now(), 'second')");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM events").equals(java.util.List.of("2")));

        // a schema change on the source: the follow stops before it, naming the statement
        sql(source, "BEGIN", "ALTER TABLE items ADD COLUMN note text", "CREATE TABLE audit (at timestamptz)", "COMMIT",
                "INSERT INTO items VALUES (11, 11, 'new column')");
        JsonNode changed = api.awaitStatus("fix", "failed", LIMIT);
        assertThat(changed.path("error_message").asString()).startsWith("schema change on the source, in: ALTER TABLE items ADD COLUMN note text")
                .contains("only the CREATE, ALTER or DROP, not rows written by the same statement or transaction")
                .contains("start the migration again");
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fix'")).containsExactly("1");

        // the same change on the destination, and a start follows on from where it stopped: nothing cloned again
        sql(dest, "ALTER TABLE items ADD COLUMN note text", "CREATE TABLE audit (at timestamptz)");
        assertThat(api.call("POST", "/api/v1/migrations/fix/start", null).status()).isEqualTo(200);
        JsonNode followsOn = api.awaitStatus("fix", "streaming", LIMIT);
        List<JsonNode> phases = followsOn.path("live_phases").valueStream().toList();
        assertThat(phases).extracting(p -> p.path("phase").asString()).containsSubsequence("finishing", "connecting", "streaming");
        JsonNode finishing = phases.stream().filter(p -> p.path("phase").asString().equals("finishing")).findFirst().orElseThrow();
        JsonNode reconnecting = phases.get(phases.indexOf(finishing) + 1);
        assertThat(java.time.Instant.parse(finishing.path("ended_at").asString()))
                .as("the clone's last phase ended with the clone, not when this run started").isBefore(
                        java.time.Instant.parse(reconnecting.path("started_at").asString()));
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT note FROM items WHERE id = 11").equals(java.util.List.of("new column")));
        assertThat(api.get("/api/v1/migrations/fix/logs")).extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).contains("following on"))
                .anySatisfy(m -> assertThat(m).startsWith("passing the schema change at"))
                .as("a table made while following is named too").anySatisfy(m -> assertThat(m).contains("without a replica identity")
                        .contains("public.audit"));

        // a row the destination lacks: the follow stops instead of losing the change
        sql(dest, "DELETE FROM items WHERE id = 3");
        sql(source, "UPDATE items SET v = 33 WHERE id = 3");
        JsonNode missing = api.awaitStatus("fix", "failed", LIMIT);
        assertThat(missing.path("error_message").asString()).contains("UPDATE on \"public\".\"items\"").contains("found no row");

        // delete drops the slot, the publication and the DDL trigger on the source, and the origin on the destination
        assertThat(api.call("DELETE", "/api/v1/migrations/fix", null).status()).isEqualTo(204);
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fix'")).containsExactly("0");
        assertThat(rows(source, "SELECT count(*) FROM pg_publication")).containsExactly("0");
        assertThat(rows(dest, "SELECT count(*) FROM pg_replication_origin WHERE roname = 'pgcorral_fix'")).containsExactly("0");
        assertThat(rows(source, "SELECT count(*) FROM pg_event_trigger")).containsExactly("0");
        assertThat(rows(dest, "SELECT count(*) FROM pg_event_trigger")).as("the clone does not carry the DDL trigger").containsExactly("0");
    }

    @Test
    void anEmbeddedDestinationIsALocalCopyThatStaysCurrent() throws Exception {
        ConnectionDetails source = database("emb_src");
        sql(source, "CREATE TABLE notes (id serial PRIMARY KEY, body text)", "INSERT INTO notes (body) VALUES ('first')");
        MigrationCalls api = new MigrationCalls(port, null);
        String src = api.cluster("emb-source", source);
        String body = "{\"id\":\"Local-Copy\",\"name\":\"local\",\"source_cluster_id\":\"" + src + "\",\"source_node_id\":\""
                + api.node(src) + "\",\"dest_cluster_id\":\"embedded\",\"mode\":\"clone_and_follow\"}";
        assertThat(api.call("POST", "/api/v1/migrations", body).status()).isEqualTo(201);
        assertThat(api.call("POST", "/api/v1/migrations/Local-Copy/start", null).status()).isEqualTo(200);
        api.awaitStatus("Local-Copy", "streaming", LIMIT);
        sql(source, "INSERT INTO notes (body) VALUES ('second')", "UPDATE notes SET body = 'first, edited' WHERE id = 1");
        ConnectionDetails local = database("local_copy");
        await().atMost(LIMIT).until(() -> rows(local, "SELECT body FROM notes ORDER BY id").equals(List.of("first, edited", "second")));
        assertThat(api.call("DELETE", "/api/v1/migrations/Local-Copy?force=true", null).status()).isEqualTo(204);
        assertThat(rows(local, "SELECT count(*) FROM notes")).as("the local copy stays").containsExactly("2");
    }

    @Test
    void followOnlyFollowsTheUsersSlotAndLeavesItThere() throws Exception {
        ConnectionDetails source = database("fo_src");
        ConnectionDetails dest = database("fo_dst");
        for (ConnectionDetails db : List.of(source, dest)) {
            sql(db, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        }
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("fo", source, dest, "follow_only");
        JsonNode missing = api.awaitStatus("fo", "failed", LIMIT);
        assertThat(missing.path("error_message").asString()).contains("slot pgmanager_fo does not exist")
                .contains("publication pgmanager_pub_fo does not exist");

        sql(source, "CREATE PUBLICATION pgmanager_pub_fo FOR TABLE t", "SELECT pg_create_logical_replication_slot('pgmanager_fo', 'pgoutput')",
                "INSERT INTO t VALUES (1, 'after the slot')");
        assertThat(api.call("POST", "/api/v1/migrations/fo/start", null).status()).isEqualTo(200);
        api.awaitStatus("fo", "streaming", LIMIT);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT v FROM t").equals(List.of("after the slot")));
        assertThat(api.call("POST", "/api/v1/migrations/fo/stop", null).status()).isEqualTo(200);
        api.awaitStatus("fo", "stopped", LIMIT);
        assertThat(rows(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_fo'")).as("not ours to drop")
                .containsExactly("1");
        assertThat(rows(source, "SELECT count(*) FROM pg_publication WHERE pubname = 'pgmanager_pub_fo'")).containsExactly("1");
        sql(source, "SELECT pg_drop_replication_slot('pgmanager_fo')");
    }

    @Test
    void aRowMissingLateInALargeTransactionLeavesAllOfItUncommitted() throws Exception {
        ConnectionDetails source = database("late_src");
        ConnectionDetails dest = database("late_dst");
        // a second unique index: each UPDATE goes as a statement of its own, 1,200 of them over three batches, the last with the COMMIT
        sql(source, "CREATE TABLE wide (id int PRIMARY KEY, code text UNIQUE, v int)",
                "INSERT INTO wide SELECT g, 'c' || g, g FROM generate_series(1, 1200) g");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("late", source, dest, "clone_and_follow");
        api.awaitStatus("late", "streaming", LIMIT);

        sql(dest, "DELETE FROM wide WHERE id = 1150");
        sql(source, "UPDATE wide SET v = v + 1");
        JsonNode missing = api.awaitStatus("late", "failed", LIMIT);
        assertThat(missing.path("error_message").asString()).contains("UPDATE on \"public\".\"wide\" found no row on the destination");
        assertThat(rows(dest, "SELECT count(*) FROM wide WHERE v <> id")).as("none of the transaction's 1,199 other changes committed")
                .containsExactly("0");

        // the row put back, a start applies the whole transaction
        sql(dest, "INSERT INTO wide VALUES (1150, 'c1150', 1150)");
        assertThat(api.call("POST", "/api/v1/migrations/late/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM wide WHERE v = id + 1").equals(List.of("1200")));
    }

    @Test
    void aDestinationUserWhoMayNotCreateTemporaryObjectsStillHasEveryRowFound() throws Exception {
        ConnectionDetails source = database("notemp_src");
        sql(source, "CREATE TABLE items (id int PRIMARY KEY, v int)", "INSERT INTO items SELECT g, g FROM generate_series(1, 5) g");
        ConnectionDetails admin = database("notemp_dst");
        sql(admin, "CREATE ROLE applier LOGIN PASSWORD 'applier-pw'", "REVOKE TEMPORARY ON DATABASE notemp_dst FROM PUBLIC",
                "GRANT CREATE ON SCHEMA public TO applier",
                "GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text), pg_replication_origin_drop(text),"
                        + " pg_replication_origin_oid(text), pg_replication_origin_session_setup(text),"
                        + " pg_replication_origin_xact_setup(pg_lsn, timestamptz), pg_replication_origin_progress(text, boolean) TO applier");
        ConnectionDetails dest = new ConnectionDetails(admin.host(), admin.port(), admin.database(), "applier", "applier-pw");
        MigrationCalls api = new MigrationCalls(port, null);
        // without the origin functions the start fails, after the source was set up; once granted, a start goes on
        sql(admin, "REVOKE EXECUTE ON FUNCTION pg_replication_origin_oid(text) FROM applier");
        api.createAndStart("notemp", source, dest, "clone_and_follow");
        assertThat(api.awaitStatus("notemp", "failed", LIMIT).path("error_message").asString()).contains("pg_replication_origin_oid");
        sql(admin, "GRANT EXECUTE ON FUNCTION pg_replication_origin_oid(text) TO applier");
        assertThat(api.call("POST", "/api/v1/migrations/notemp/start", null).status()).isEqualTo(200);
        api.awaitStatus("notemp", "streaming", LIMIT);
        sql(source, "UPDATE items SET v = 10 WHERE id = 1", "DELETE FROM items WHERE id = 2");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT id || ':' || v FROM items ORDER BY id").equals(List.of("1:10", "3:3", "4:4", "5:5")));
        assertThat(rows(admin, "SELECT count(*) FROM pg_proc WHERE proname = 'pgcorral_rows'"))
                .as("no function of the apply's own: the apply reads the row counts itself").containsExactly("0");

        // a row the destination lacks: the follow stops, and the source transaction's other change is not committed either
        sql(admin, "DELETE FROM items WHERE id = 4");
        sql(source, "BEGIN", "UPDATE items SET v = 30 WHERE id = 3", "UPDATE items SET v = 40 WHERE id = 4", "COMMIT");
        JsonNode missing = api.awaitStatus("notemp", "failed", LIMIT);
        assertThat(missing.path("error_message").asString()).contains("UPDATE on \"public\".\"items\" found no row on the destination");
        assertThat(rows(dest, "SELECT v FROM items WHERE id = 3")).containsExactly("3");
    }

    @Test
    void followsAsAUserWithoutSuperuserRightsAndSeesASchemaChangeByItsColumns() throws Exception {
        ConnectionDetails source = ownedByPlainRole("plain_src", "plain"); // the owner: it may stop writes
        ConnectionDetails admin = database("plain_src");
        sql(source, "CREATE TABLE owned (id int PRIMARY KEY, v text)", "INSERT INTO owned VALUES (1, 'one')");
        ConnectionDetails dest = database("plain_dst");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("plain", source, dest, "clone_and_follow");
        api.awaitStatus("plain", "streaming", LIMIT);
        assertThat(rows(admin, "SELECT puballtables FROM pg_publication WHERE pubname = 'pgmanager_pub_plain'")).containsExactly("f");
        assertThat(api.get("/api/v1/migrations/plain/logs")).extracting(l -> l.path("message").asString())
                .anySatisfy(m -> assertThat(m).contains("DDL statements are not captured"));

        sql(source, "INSERT INTO owned VALUES (2, 'two')", "ALTER TABLE owned ADD COLUMN extra int", "INSERT INTO owned VALUES (3, 'three', 3)");
        JsonNode changed = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(changed.path("error_message").asString()).contains("schema change on the source").contains("\"extra\"")
                .contains("ADD COLUMN");
        assertThat(rows(dest, "SELECT id FROM owned ORDER BY id")).doesNotContain("3");
        sql(dest, "ALTER TABLE owned ADD COLUMN extra int");
        assertThat(api.call("POST", "/api/v1/migrations/plain/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT id || ':' || coalesce(extra, 0) FROM owned ORDER BY id")
                .equals(java.util.List.of("1:0", "2:0", "3:3")));

        // a column dropped on the source: the follow stops, rather than leave the destination's copy of it stale
        sql(source, "ALTER TABLE owned DROP COLUMN v", "INSERT INTO owned VALUES (4, 4)");
        JsonNode dropped = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(dropped.path("error_message").asString()).contains("has a column \"v\" on the destination that the source does not send")
                .contains("DROP COLUMN \"v\"");
        sql(dest, "ALTER TABLE owned DROP COLUMN v");
        assertThat(api.call("POST", "/api/v1/migrations/plain/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT id || ':' || extra FROM owned WHERE id = 4").equals(java.util.List.of("4:4")));

        // a column's type changed on the source: the follow stops, rather than let the destination round its values
        sql(source, "ALTER TABLE owned ALTER COLUMN extra TYPE numeric(10,4)", "INSERT INTO owned VALUES (5, 5.1234)");
        JsonNode retyped = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(retyped.path("error_message").asString()).contains("column \"extra\" of table \"public\".\"owned\" changed its type")
                .contains("ALTER COLUMN \"extra\" TYPE numeric(10,4)");
        assertThat(rows(dest, "SELECT id FROM owned ORDER BY id")).doesNotContain("5");
        sql(dest, "ALTER TABLE owned ALTER COLUMN extra TYPE numeric(10,4)");
        assertThat(api.call("POST", "/api/v1/migrations/plain/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT extra FROM owned WHERE id = 5").equals(java.util.List.of("5.1234")));

        // a column renamed on the source: the stop says to rename it on the destination too (an add and a drop would lose its values)
        sql(source, "ALTER TABLE owned RENAME COLUMN extra TO amount", "INSERT INTO owned VALUES (6, 6.5)");
        JsonNode renamed = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(renamed.path("error_message").asString()).contains("has a column \"amount\" that the destination does not have")
                .contains("the destination has a column \"extra\" that the source does not send")
                .contains("RENAME COLUMN \"extra\" TO \"amount\"");
        sql(dest, "ALTER TABLE owned RENAME COLUMN extra TO amount");
        assertThat(api.call("POST", "/api/v1/migrations/plain/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT id || ':' || coalesce(amount::text, '-') FROM owned ORDER BY id")
                .equals(List.of("1:-", "2:-", "3:3.0000", "4:4.0000", "5:5.1234", "6:6.5000")));

        // a table created now is not in the publication (a list of tables): the follow stops, naming it, rather than leave its rows behind
        sql(source, "CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later VALUES (1)");
        sql(dest, "CREATE TABLE later (id int PRIMARY KEY)");
        JsonNode unpublished = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(unpublished.path("error_message").asString()).contains("\"public\".\"later\" is on the source but not in publication "
                + "pgmanager_pub_plain").contains("stop the migration and start it again, and it clones again with every table");
        assertThat(api.call("POST", "/api/v1/migrations/plain/switchover", null).status()).as("not streaming").isEqualTo(409);
        // as it says: stop (its slot goes), start (it clones again, with the new table)
        sql(dest, "DROP TABLE later");
        assertThat(api.call("POST", "/api/v1/migrations/plain/stop", null).status()).isEqualTo(200);
        assertThat(rows(admin, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_plain'")).containsExactly("0");
        assertThat(api.call("POST", "/api/v1/migrations/plain/start", null).status()).isEqualTo(200);
        api.awaitStatus("plain", "streaming", LIMIT);
        sql(source, "INSERT INTO later VALUES (2)");
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT id FROM later ORDER BY id").equals(java.util.List.of("1", "2")));

        // a table created just before a switchover: the switchover does not complete, whichever notices it first, and the source keeps its writes
        sql(source, "CREATE TABLE last_minute (id int)", "INSERT INTO last_minute VALUES (1)");
        assertThat(api.call("POST", "/api/v1/migrations/plain/switchover", null).status()).isEqualTo(200);
        JsonNode refused = api.awaitStatus("plain", "failed", LIMIT);
        assertThat(refused.path("error_message").asString()).contains("\"public\".\"last_minute\" is on the source but not in publication");
        assertThat(refused.path("switchover_lsn").isMissingNode() || refused.path("switchover_lsn").isNull()
                || refused.path("switchover_lsn").asString().isEmpty()).as(refused.toString()).isTrue();
        sql(source, "INSERT INTO last_minute VALUES (2)");
        assertThat(api.call("DELETE", "/api/v1/migrations/plain?force=true", null).status()).isEqualTo(204);
        assertThat(rows(admin, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'pgmanager_plain'")).containsExactly("0");
    }
}
