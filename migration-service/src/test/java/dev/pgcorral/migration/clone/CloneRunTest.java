package dev.pgcorral.migration.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationTestBase;

class CloneRunTest extends MigrationTestBase {

    private static final List<String> PHASES = List.of("connecting", "schema", "copy", "indexes", "finishing", "done");

    /** The log lines of the runs a test made. */
    private final List<CloneProgress.LogEntry> logLines = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void clonesEveryKindOfObjectAndComparesEqual() throws Exception {
        ConnectionDetails source = database("kinds_src");
        sql(source,
                "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE SCHEMA shop",
                "CREATE TABLE shop.customers (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, mood mood, born date, tags text[], "
                        + "doc jsonb, raw json, spot point, total numeric(12,2), name_upper text GENERATED ALWAYS AS (upper(name)) STORED)",
                "CREATE TABLE shop.orders (id serial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customers, "
                        + "placed timestamptz NOT NULL DEFAULT now(), note text, payload bytea)",
                "CREATE INDEX orders_customer ON shop.orders (customer_id)",
                "CREATE TABLE events (id int, at date NOT NULL, what text) PARTITION BY RANGE (at)",
                "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                "CREATE TABLE animals (id int PRIMARY KEY, name text)",
                "CREATE TABLE dogs (barks boolean) INHERITS (animals)",
                "CREATE TABLE no_key (a int, b text)",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END $$",
                "CREATE TRIGGER orders_touch BEFORE INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION touch()",
                "INSERT INTO shop.customers (name, mood, born, tags, doc, raw, spot, total) SELECT 'c' || g, "
                        + "CASE WHEN g % 3 = 0 THEN NULL ELSE 'happy'::mood END, DATE '2000-01-01' + g, ARRAY['a', NULL, 'b' || g], "
                        + "jsonb_build_object('g', g, 'n', NULL), '{\"k\" :  1}', point(g, -g), g * 1.25 FROM generate_series(1, 3000) g",
                "INSERT INTO shop.orders (customer_id, note, payload) SELECT 1 + g % 3000, CASE WHEN g % 5 = 0 THEN NULL ELSE 'ñote ' || g END, "
                        + "CASE WHEN g % 100 = 0 THEN decode(repeat(md5(g::text), 400), 'hex') END FROM generate_series(1, 20000) g",
                "INSERT INTO shop.orders (customer_id, note) VALUES (1, NULL)", // the trigger fills it on the source only
                "INSERT INTO events SELECT g, DATE '2024-06-01' + g % 400, repeat('x', g % 50) FROM generate_series(1, 5000) g",
                "INSERT INTO animals VALUES (1, 'cat')", "INSERT INTO dogs VALUES (2, 'rex', true)",
                "INSERT INTO no_key SELECT g % 10, NULL FROM generate_series(1, 100) g",
                "CREATE TABLE docs (id int PRIMARY KEY, body text)",
                "INSERT INTO docs SELECT g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 300) i) FROM generate_series(1, 200) g",
                "CREATE MATERIALIZED VIEW shop.order_counts AS SELECT customer_id, count(*) AS n FROM shop.orders GROUP BY 1",
                "CREATE MATERIALIZED VIEW never_filled AS SELECT 1 AS one WITH NO DATA",
                "CREATE VIEW big_orders AS SELECT * FROM shop.orders WHERE id > 100",
                "SELECT lo_from_bytea(0, convert_to('large object ' || g, 'UTF8')) FROM generate_series(1, 3) g",
                "SELECT setval('shop.orders_id_seq', 50000)",
                "CREATE SEQUENCE lonely START 7", "SELECT nextval('lonely')",
                // values that name objects (an OID, whose binary form would point at another object, or none, on the
                // destination) and a type without binary I/O: copied as text, under an interval style that reads back
                "CREATE TABLE named_objects (id int PRIMARY KEY, rel regclass, typ regtype, ns regnamespace, cfg regconfig, "
                        + "acl aclitem[], moods mood[], span interval)",
                "INSERT INTO named_objects VALUES (1, 'shop.orders', 'mood', 'shop', 'english', ARRAY[makeaclitem(0, 10, 'SELECT', false)], "
                        + "'{happy,sad}', '-1 day +02:03:04'), (2, 'pg_class', 'int4', 'public', 'simple', NULL, NULL, '1 year -2 mons')",
                // an array of a type the database made: its binary form carries the element type's OID, another there
                "CREATE TABLE enum_arrays (id int PRIMARY KEY, moods mood[])", "INSERT INTO enum_arrays VALUES (1, '{happy,sad}'), (2, NULL)",
                "ALTER DATABASE kinds_src SET IntervalStyle = 'sql_standard'");
        ConnectionDetails destination = database("kinds_dst");

        CloneRun run = run(source, destination, 2, 64 * 1024, false);
        run.run();
        sql(source, "ALTER DATABASE kinds_src RESET IntervalStyle"); // for the comparisons' sessions, which read both sides as text

        assertThat(run.progress().phases()).extracting(CloneProgress.Phase::phase).containsExactlyElementsOf(PHASES);
        assertThat(run.progress().tablesCopied()).isEqualTo(run.progress().tables().size());
        // partitions and inheritance children each once: their parents are not in the copy list
        assertThat(run.progress().tables()).extracting(t -> t.schema() + "." + t.name())
                .contains("shop.orders", "public.events_2024", "public.dogs", "public.animals")
                .doesNotContain("public.events", "shop.order_counts");
        TableProgress orders = run.progress().tables().stream().filter(t -> t.name().equals("orders")).findFirst().orElseThrow();
        assertThat(orders.rowsCopied()).isEqualTo(20001);
        assertThat(orders.bytesCopied()).isPositive();
        assertThat(orders.percent()).isEqualTo(100.0);

        assertThat(content(destination)).isEqualTo(content(source));
        assertThat(rows(destination, "SELECT concat_ws(' ', rel, typ, ns, cfg, acl, moods, span) FROM named_objects ORDER BY id"))
                .containsExactly("shop.orders mood shop english {=r/" + rows(source, "SELECT rolname FROM pg_roles WHERE oid = 10").get(0)
                        + "} {happy,sad} -1 days +02:03:04",
                        "pg_class integer public simple 10 mons");
        assertThat(rows(destination, "SELECT count(*) FROM never_filled WHERE false")).isNotNull();
        assertThat(rows(destination, "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'never_filled'")).containsExactly("f");
        // the trigger and the foreign key came with post-data
        sql(destination, "INSERT INTO shop.orders (customer_id) VALUES (2)");
        assertThat(rows(destination, "SELECT note FROM shop.orders WHERE id = 50001")).containsExactly("touched");
        assertThatThrownBy(() -> sql(destination, "INSERT INTO shop.orders (customer_id) VALUES (999999)"))
                .hasMessageContaining("foreign key");
        assertThat(rows(destination, "SELECT count(*) FROM pg_stats WHERE schemaname = 'shop' AND tablename = 'orders'").get(0))
                .isNotEqualTo("0");
    }

    @Test
    void refusesADestinationThatIsNotEmptyAndStartsOverWhatItMade() throws Exception {
        ConnectionDetails source = database("again_src");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        ConnectionDetails destination = database("again_dst");
        sql(destination, "CREATE TABLE mine (id int)");

        assertThatThrownBy(() -> run(source, destination, 2, 1 << 20, false).run())
                .hasMessageContaining("not empty").hasMessageContaining("public.mine");
        assertThat(rows(destination, "SELECT count(*) FROM mine")).containsExactly("0");

        // what an interrupted run left behind (here: a user's table as stand-in) is dropped when the migration starts over
        CloneRun again = run(source, destination, 2, 1 << 20, true);
        again.run();
        assertThat(content(destination)).isEqualTo(content(source));
        assertThat(logLines).anySatisfy(l -> assertThat(l.message()).startsWith("starting over"));
    }

    @Test
    void aCloneThatFailsWhileCopyingResumesOnTheSameSnapshot() throws Exception {
        ConnectionDetails source = database("resume_src");
        sql(source, "CREATE TABLE big (id int PRIMARY KEY, v text)", "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g",
                "CREATE TABLE refused (id int PRIMARY KEY)", "INSERT INTO refused SELECT generate_series(1, 10)");
        ConnectionDetails destination = database("resume_dst");
        Map<String, List<String>> atSnapshot = content(source);
        // the destination refuses the rows of one table once its schema is there: the copy fails, not for a lost connection
        CloneRun first = run(source, destination, 2, 64 * 1024, false, null, phase -> {
            if (phase.equals("copy")) {
                sql(destination, "ALTER TABLE refused ADD CONSTRAINT no CHECK (false) NOT VALID");
            }
        });
        assertThatThrownBy(first::run).hasMessageContaining("refused").hasMessageContaining("no");
        CloneState left = first.leftover().orElseThrow();
        assertThat(left.resumable()).isTrue();

        sql(source, "INSERT INTO big VALUES (-1, 'after the snapshot')");
        sql(destination, "ALTER TABLE refused DROP CONSTRAINT no");
        CloneRun second = run(source, destination, 2, 64 * 1024, true, left, phase -> { });
        second.run();
        assertThat(logLines).anySatisfy(l -> assertThat(l.message()).startsWith("resuming on the same snapshot"));
        assertThat(second.progress().phases()).extracting(CloneProgress.Phase::phase).doesNotContain("schema");
        assertThat(content(destination)).isEqualTo(atSnapshot); // the row inserted after the snapshot is not there
        // what it leaves now serves a compare (the source as cloned), not a resume
        CloneState done = second.leftover().orElseThrow();
        assertThat(done.completedAndOpen()).isTrue();
        assertThat(done.resumable()).isFalse();
        done.close();
        assertThat(done.completedAndOpen()).isFalse();
    }

    private CloneRun run(ConnectionDetails source, ConnectionDetails destination, int workers, long splitAbove, boolean startOver) {
        return run(source, destination, workers, splitAbove, startOver, null, phase -> { });
    }

    private CloneRun run(ConnectionDetails source, ConnectionDetails destination, int workers, long splitAbove, boolean startOver,
                         CloneState resume, java.util.function.Consumer<String> onPhase) {
        return new CloneRun(new CloneRun.Job("test", source, destination, workers, splitAbove, startOver, java.util.Set::of, null),
                new PgTools(embedded.server().binaries()), new CloneRun.Listener() {
                    @Override
                    public void phase(String phase) {
                        onPhase.accept(phase);
                    }

                    @Override
                    public void writingDestination() {
                    }

                    @Override
                    public void destinationMade(List<Long> objects) {
                    }
                }, new CloneProgress(logLines::add), resume);
    }

    /** Every relation's rows (sorted text), sequences, index and constraint definitions, large objects. */
    static Map<String, List<String>> content(ConnectionDetails db) {
        Map<String, List<String>> content = new LinkedHashMap<>();
        for (String relation : rows(db, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                + "AND (c.relkind <> 'm' OR c.relispopulated) ORDER BY 1")) {
            content.put(relation, new ArrayList<>(rows(db, "SELECT x::text FROM " + relation + " x ORDER BY 1")));
        }
        content.put("sequences", rows(db, "SELECT schemaname || '.' || sequencename || ' ' || coalesce(last_value::text, 'unused') "
                + "FROM pg_sequences ORDER BY 1"));
        content.put("indexes", rows(db, "SELECT indexdef FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog') ORDER BY 1"));
        content.put("constraints", rows(db, "SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                + "WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"));
        content.put("triggers", rows(db, "SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"));
        content.put("large objects", rows(db, "SELECT encode(lo_get(oid), 'escape') FROM pg_largeobject_metadata ORDER BY 1"));
        return content;
    }
}
