package dev.pgcorral.migration.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationCalls;
import dev.pgcorral.migration.MigrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * The apply writes a table's INSERTs, and its UPDATEs by an unchanged key, a run at a time, one statement per run: what
 * reaches the destination is still every change, each table's in its order. Where order within a statement can be
 * seen (a second unique index), changes go one by one. And a run that misses rows says how many it found.
 */
class FollowRunsTest extends MigrationTestBase {

    private static final Duration LIMIT = Duration.ofSeconds(90);

    @Test
    void runsOfChangesArriveWholeAndInEachTablesOrder() throws Exception {
        ConnectionDetails source = database("runs_src");
        ConnectionDetails dest = database("runs_dst");
        sql(source,
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text, tags text[], doc jsonb, code char(4), flags bit(3))",
                "INSERT INTO accounts SELECT g, 0, NULL, NULL, NULL, 'a', B'001' FROM generate_series(1, 100) g",
                "CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)",
                "INSERT INTO counters SELECT g, 0 FROM generate_series(1, 3) g",
                "CREATE TABLE history (account int, delta int, what text)", // no key: INSERTs only
                "CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL UNIQUE)",
                "INSERT INTO people VALUES (1, 'a@example.org'), (2, 'b@example.org')");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("runs", source, dest, "clone_and_follow");
        api.awaitStatus("runs", "streaming", LIMIT);

        sql(source,
                // one transaction longer than a run, tables interleaved: rows inserted, then changed, some deleted, in one go
                "DO $$BEGIN"
                        + " FOR i IN 1..1500 LOOP"
                        + "   INSERT INTO accounts VALUES (1000 + i, i, 'new', ARRAY['x\"y', 'back\\slash', NULL], jsonb_build_object('i', i), 'abc', B'101');"
                        + "   UPDATE accounts SET balance = balance + i, note = 'it''s ' || i, code = 'wxyz', flags = B'110' WHERE id = 1 + i % 100;"
                        + "   UPDATE counters SET n = n + 1 WHERE id = 1 + i % 3;"
                        + "   INSERT INTO history VALUES (1 + i % 100, i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'step ' || i END);"
                        + "   IF i % 5 = 0 THEN UPDATE accounts SET balance = -1 WHERE id = 1000 + i; END IF;"
                        + "   IF i % 11 = 0 THEN DELETE FROM accounts WHERE id = 1000 + i - 3; END IF;"
                        + "   IF i % 13 = 0 THEN UPDATE accounts SET id = id + 100000 WHERE id = 1000 + i - 1; END IF;"
                        + " END LOOP; END$$",
                // two rows swap a unique value through a third: one statement over both would collide
                "BEGIN",
                "UPDATE people SET email = 'swap@example.org' WHERE id = 1",
                "UPDATE people SET email = 'a@example.org' WHERE id = 2",
                "UPDATE people SET email = 'b@example.org' WHERE id = 1",
                "COMMIT");
        for (int i = 0; i < 20; i++) { // small transactions, each a few tables: they share destination transactions
            sql(source, "UPDATE counters SET n = n + 1 WHERE id = 1", "INSERT INTO history VALUES (" + i + ", 1, 'small')",
                    "UPDATE accounts SET tags = ARRAY['{braces}', ''] WHERE id = " + (i + 1));
        }

        await().atMost(LIMIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode compare = api.call("POST", "/api/v1/migrations/runs/compare", null).body();
            assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
        });
        assertThat(rows(dest, "SELECT email FROM people ORDER BY id")).containsExactly("b@example.org", "a@example.org");
        assertThat(rows(dest, "SELECT n FROM counters ORDER BY id")).containsExactly("520", "500", "500");
        assertThat(rows(dest, "SELECT count(*), count(what) FROM history")).containsExactly("1520|1306");
        assertThat(rows(dest, "SELECT tags[1] || '|' || tags[2] || '|' || coalesce(tags[3], 'null') FROM accounts WHERE id = 1001"))
                .containsExactly("x\"y|back\\slash|null");
        assertThat(rows(dest, "SELECT code || '|' || flags FROM accounts WHERE id IN (1001, 2) ORDER BY id"))
                .as("values of types with a length, written by runs, not cut to the type's default length").containsExactly("wxyz|110", "abc|101");

        assertThat(rows(dest, "SELECT count(*) FROM pg_proc WHERE proname = 'pgcorral_rows' AND pronamespace::regnamespace::text LIKE 'pg_temp%'"))
                .as("the destination checks the row counts: a function in the apply session's temporary schema").containsExactly("1");

        // rows the destination lacks, changed in one source statement: the follow stops, saying how many it found
        sql(dest, "DELETE FROM accounts WHERE id IN (2, 3)");
        sql(source, "UPDATE accounts SET balance = 0 WHERE id IN (2, 3, 4)");
        JsonNode missing = api.awaitStatus("runs", "failed", LIMIT);
        assertThat(missing.path("error_message").asString()).contains("UPDATE of 3 rows on \"public\".\"accounts\" found 1 of its 3 rows");
        assertThat(rows(dest, "SELECT balance FROM accounts WHERE id = 4")).as("nothing of that transaction applied").doesNotContain("0");

        // the rows put back, a start applies that transaction whole: nothing of it was lost
        sql(dest, "INSERT INTO accounts (id, balance) VALUES (2, 7), (3, 7)");
        assertThat(api.call("POST", "/api/v1/migrations/runs/start", null).status()).isEqualTo(200);
        await().atMost(LIMIT).until(() -> rows(dest, "SELECT count(*) FROM accounts WHERE id IN (2, 3, 4) AND balance = 0").equals(java.util.List.of("3")));

        // a change the destination refuses: the error names the table and the server's reason
        sql(dest, "ALTER TABLE history ADD CONSTRAINT positive_delta CHECK (delta > 0)");
        sql(source, "UPDATE counters SET n = n + 1 WHERE id = 2", "INSERT INTO history VALUES (1, -5, 'refused')");
        JsonNode refused = api.awaitStatus("runs", "failed", LIMIT);
        assertThat(refused.path("error_message").asString()).contains("refused a change to \"public\".\"history\"")
                .contains("positive_delta");

        // a value the destination's column type refuses, an error that names no table: the changes it was among are named
        sql(dest, "ALTER TABLE history DROP CONSTRAINT positive_delta", "ALTER TABLE counters ALTER COLUMN n TYPE smallint");
        assertThat(api.call("POST", "/api/v1/migrations/runs/start", null).status()).isEqualTo(200);
        api.awaitStatus("runs", "streaming", LIMIT);
        sql(source, "UPDATE counters SET n = 100000 WHERE id = 3");
        JsonNode outOfRange = api.awaitStatus("runs", "failed", LIMIT);
        assertThat(outOfRange.path("error_message").asString()).contains("refused a change (one of: UPDATE")
                .contains("on \"public\".\"counters\")").contains("out of range");
    }
    @Test
    void aParentTablesChangesLeaveItsChildTablesRowsAlone() throws Exception {
        ConnectionDetails source = database("inherit_src");
        ConnectionDetails dest = database("inherit_dst");
        sql(source,
                "CREATE TABLE items (id int PRIMARY KEY, v text)",
                "CREATE TABLE special_items () INHERITS (items)",
                "ALTER TABLE special_items ADD PRIMARY KEY (id)", // the same keys as the parent's rows
                "INSERT INTO items SELECT g, 'parent' FROM generate_series(1, 3) g",
                "INSERT INTO special_items SELECT g, 'child' FROM generate_series(1, 3) g",
                "CREATE TABLE loose (id int, v text)", // found by every column, then by ctid: the child's first row has the same ctid
                "ALTER TABLE loose REPLICA IDENTITY FULL",
                "CREATE TABLE loose_child () INHERITS (loose)",
                "ALTER TABLE loose_child REPLICA IDENTITY FULL",
                "INSERT INTO loose VALUES (1, 'same')",
                "INSERT INTO loose_child VALUES (1, 'same')");
        MigrationCalls api = new MigrationCalls(port, null);
        api.createAndStart("inherit", source, dest, "clone_and_follow");
        api.awaitStatus("inherit", "streaming", LIMIT);

        sql(source,
                "UPDATE ONLY items SET v = 'parent, edited' WHERE id = 1",
                "BEGIN",
                "UPDATE ONLY items SET v = 'parent, both' WHERE id IN (2, 3)", // a run of two rows
                "COMMIT",
                "DELETE FROM ONLY items WHERE id = 3",
                "UPDATE ONLY loose SET v = 'parent, edited'",
                "INSERT INTO loose_child VALUES (2, 'child')");

        await().atMost(LIMIT).untilAsserted(() -> {
            JsonNode status = api.call("GET", "/api/v1/migrations/inherit", null).body();
            assertThat(status.path("status").asString()).as(status.path("error_message").asString()).isEqualTo("streaming");
            assertThat(rows(dest, "SELECT count(*) FROM loose_child")).containsExactly("2");
        });
        assertThat(rows(dest, "SELECT tableoid::regclass || '|' || id || '|' || v FROM items"))
                .containsExactlyInAnyOrder("items|1|parent, edited", "items|2|parent, both", "special_items|1|child", "special_items|2|child",
                        "special_items|3|child");
        assertThat(rows(dest, "SELECT tableoid::regclass || '|' || v FROM loose"))
                .containsExactlyInAnyOrder("loose|parent, edited", "loose_child|child", "loose_child|same");
        JsonNode compare = api.call("POST", "/api/v1/migrations/inherit/compare", null).body();
        assertThat(compare.path("equal").asBoolean()).as(compare.toString()).isTrue();
    }
}
