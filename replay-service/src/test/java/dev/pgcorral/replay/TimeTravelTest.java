package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.travel.Restore;

/**
 * A workload of every kind of change (many types, NULLs, TOASTed values, TRUNCATE, DDL), checkpoints set
 * while the source is quiet with each table's content recorded then, and the target restored to each
 * checkpoint in random order, backward and forward, from kept copies and from the base: every time it
 * holds exactly the content recorded, sequences included.
 */
class TimeTravelTest extends ReplayTestBase {

    private final Random random = new Random(42);

    @Test
    void restoresEveryCheckpointExactlyInAnyOrder() {
        sql(source(),
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE kinds (id bigserial PRIMARY KEY, i int, n numeric(12,4), f float8, b bool, t text, by bytea, d date, "
                        + "ts timestamptz, iv interval, j jsonb, js json, ia int[], ta text[], u uuid, m mood, big text)",
                "CREATE TABLE loose (j json, p point, note text)",
                "ALTER TABLE loose REPLICA IDENTITY FULL",
                "CREATE TABLE counters (id serial PRIMARY KEY, v int)",
                // inheritance: a child table has rows with its parent's keys (and, for loose_child, its first row's ctid)
                "CREATE TABLE items (id int PRIMARY KEY, v text)",
                "CREATE TABLE special_items () INHERITS (items)",
                "ALTER TABLE special_items ADD PRIMARY KEY (id)",
                "INSERT INTO items VALUES (1, 'parent'), (2, 'parent')",
                "INSERT INTO special_items VALUES (1, 'child'), (2, 'child')",
                "CREATE TABLE loose_child () INHERITS (loose)",
                "ALTER TABLE loose_child REPLICA IDENTITY FULL",
                "INSERT INTO kinds (i, t) VALUES (1, 'before the session')");
        Session session = sessions.create(new NewSession("travel", null, null, null, null, null));
        Map<String, Map<String, List<String>>> expected = new LinkedHashMap<>();
        expected.put("Creation", content(source()));

        sql(source(),
                "INSERT INTO kinds (i, n, f, b, t, by, d, ts, iv, j, js, ia, ta, u, m, big) VALUES "
                        + "(2, 12345678.1234, 0.1, true, 'tab\there', '\\x00ff', '2024-02-29', '2024-01-31 12:00:00.5+05:30', "
                        + "'1 year 2 mons -3 days 04:05:06.5', '{\"a\": [1, 2.50, null]}', '{\"b\" :  1}', '{1,NULL,3}', "
                        + "'{\"x y\",\"NULL\",NULL}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', " + big() + ")",
                "INSERT INTO kinds (i, t) VALUES (3, NULL), (4, 'fôur ✓ \\ \"q\" 😀')", // stored as UTF-8: bytes, not chars, counted
                "INSERT INTO loose VALUES ('{\"k\": 1}', '(1,2)', 'one'), ('[1, 2]', '(3,4)', 'two'), ('{\"k\": 1}', '(1,2)', 'one')",
                "INSERT INTO loose_child VALUES ('{\"k\": 1}', '(1,2)', 'one'), ('[1, 2]', '(3,4)', 'two')");
        expected.put("inserts", checkpoint(session, "inserts"));

        sql(source(),
                "UPDATE kinds SET i = i + 10, f = 'NaN' WHERE i = 2", // big is TOASTed and unchanged: not in the stream
                "UPDATE kinds SET id = 100 WHERE i = 4",
                "UPDATE loose SET note = 'first' WHERE note = 'one' AND ctid = (SELECT min(ctid) FROM loose WHERE note = 'one')",
                "DELETE FROM loose WHERE p ~= '(3,4)'",
                "DELETE FROM kinds WHERE i = 3",
                "UPDATE ONLY items SET v = 'parent, edited' WHERE id = 1", // the child's rows stay as they are
                "DELETE FROM ONLY items WHERE id = 2");
        expected.put("updates", checkpoint(session, "updates"));

        sql(source(),
                "ALTER TABLE kinds ADD COLUMN extra text DEFAULT 'x'",
                "ALTER TABLE kinds DROP COLUMN by",
                "ALTER TABLE kinds RENAME COLUMN t TO title",
                "INSERT INTO kinds (i, title, extra) VALUES (5, 'after ddl', NULL)",
                "CREATE TABLE later (id int PRIMARY KEY, v text)",
                "INSERT INTO later SELECT g, 'v' || g FROM generate_series(1, 50) g");
        expected.put("ddl", checkpoint(session, "ddl"));

        // one query string with DML and DDL mixed, as psql -c sends it: each DDL statement replays once, at its place
        simpleQuery(source(), "INSERT INTO counters (v) VALUES (1), (2); ALTER TABLE counters ADD COLUMN w int; "
                + "UPDATE counters SET w = v * 10; ALTER TABLE counters RENAME COLUMN v TO v0; INSERT INTO counters (v0, w) VALUES (3, 30)");
        expected.put("mixed", checkpoint(session, "mixed"));

        sql(source(),
                "TRUNCATE later",
                "INSERT INTO later VALUES (1, 'again')",
                "BEGIN; DELETE FROM kinds WHERE i = 1; INSERT INTO kinds (i, title) VALUES (6, 'six'); COMMIT");
        expected.put("truncate", checkpoint(session, "truncate"));

        List<String> order = new ArrayList<>(expected.keySet());
        for (int round = 0; round < 2; round++) {
            Collections.shuffle(order, random);
            for (String name : order) {
                Checkpoint at = checkpoints.of(sessions.get(session.id())).stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
                Restore restore = restorer.runNow(sessions.get(session.id()), at.entryIndex(), at);
                assertThat(restore.error()).as("restore to %s", name).isNull();
                assertThat(restore.state()).isEqualTo(Restore.State.DONE);
                assertThat(content(target())).as("the target at %s", name).isEqualTo(expected.get(name));
            }
        }
        assertThat(sessions.get(session.id()).ddlCapture()).isTrue();
    }

    /** Sets a checkpoint while the source is quiet and returns the content recorded then; waits for its copy. */
    private Map<String, List<String>> checkpoint(Session session, String name) {
        Map<String, List<String>> content = content(source());
        Checkpoint c = checkpoints.create(sessions.get(session.id()), name, null);
        assertThat(c.captured()).isTrue();
        if (random.nextBoolean()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> checkpoints.store().find(c.id()).orElseThrow().copyReady());
        }
        return content;
    }

    private static String big() {
        StringBuilder s = new StringBuilder("'");
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            s.append((char) ('a' + r.nextInt(26)));
        }
        return s.append("'").toString();
    }

    private static List<String> rowsOf(Statement st, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** Runs a query string in the simple query protocol, as one string, the way psql -c sends it. */
    private static void simpleQuery(ConnectionDetails db, String query) {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", db.user());
        props.setProperty("password", db.password());
        props.setProperty("preferQueryMode", "simple");
        try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), props); Statement st = c.createStatement()) {
            st.execute(query);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Every user table's own rows (not its children's) as text, sorted, under fixed output settings. */
    static Map<String, List<String>> content(ConnectionDetails db) {
        Map<String, List<String>> content = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'; SET extra_float_digits = 3");
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                    + "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            content.put("sequences", rowsOf(st, "SELECT sequencename || ' ' || coalesce(last_value::text, 'unused') FROM pg_sequences "
                    + "WHERE schemaname = 'public' ORDER BY 1"));
            for (String table : tables) {
                content.put(table, rowsOf(st, "SELECT x::text FROM ONLY " + table + " x ORDER BY 1"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return content;
    }
}
