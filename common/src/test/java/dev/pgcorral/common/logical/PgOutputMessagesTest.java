package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.Streams.next;
import static dev.pgcorral.common.logical.Streams.nextChanges;
import static dev.pgcorral.common.logical.Streams.nextTransaction;
import static dev.pgcorral.common.logical.Streams.only;
import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.OldRow;
import dev.pgcorral.common.logical.ReplicationMessage.Origin;
import dev.pgcorral.common.logical.ReplicationMessage.RelationMessage;
import dev.pgcorral.common.logical.ReplicationMessage.Truncate;
import dev.pgcorral.common.logical.ReplicationMessage.Type;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.logical.values.PgTypes;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** Every pgoutput message type, produced by a real PostgreSQL and decoded. */
class PgOutputMessagesTest extends OnALogicalSource {

    @Test
    void aTransactionIsBeginRelationInsertCommit() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE public.items (id int PRIMARY KEY, name varchar(20), price numeric(10,2), tags text[])");
        try (ChangeStream stream = Streams.open(db, "tx")) {
            Lsn before = TestSource.currentLsn(db);
            sql(db, "INSERT INTO items VALUES (1, 'apple', 1.50, '{red,fruit}')");

            Begin begin = (Begin) next(stream);
            RelationMessage described = (RelationMessage) next(stream);
            Insert insert = (Insert) next(stream);
            Commit commit = (Commit) next(stream);

            assertThat(begin.xid()).isPositive();
            assertThat(begin.finalLsn()).isEqualTo(commit.commitLsn()).isGreaterThan(before);
            assertThat(begin.commitTime()).isEqualTo(commit.commitTime()).isBefore(Instant.now().plusSeconds(1));
            assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
            assertThat(commit.position()).isEqualTo(commit.endLsn());
            assertThat(commit.xid()).isEqualTo(begin.xid());

            Relation items = described.relation();
            assertThat(items.schema()).isEqualTo("public");
            assertThat(items.table()).isEqualTo("items");
            assertThat(items.replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
            assertThat(items.columns()).containsExactly(
                    new Relation.Column("id", PgTypes.INT4, -1, true),
                    new Relation.Column("name", PgTypes.VARCHAR, 24, false),
                    new Relation.Column("price", PgTypes.NUMERIC, (10 << 16 | 2) + 4, false),
                    new Relation.Column("tags", PgTypes.TEXT_ARRAY, -1, false));

            assertThat(insert.xid()).isEqualTo(begin.xid());
            assertThat(insert.relation()).isSameAs(items);
            assertThat(insert.newRow().text(0)).isEqualTo("1");
            assertThat(insert.newRow().text(1)).isEqualTo("apple");
            assertThat(insert.newRow().text(2)).isEqualTo("1.50");
            assertThat(insert.newRow().text(3)).isEqualTo("{red,fruit}");
            assertThat(insert.newRow().toJava("id")).isEqualTo(1);
            assertThat(insert.newRow().toJava("tags")).isEqualTo(List.of("red", "fruit"));
            assertThat(insert.position()).isGreaterThanOrEqualTo(before).isLessThan(commit.commitLsn());
        }
    }

    @Test
    void updatesAndDeletesCarryWhatTheReplicaIdentitySends() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE by_key (id int PRIMARY KEY, v text)",
                "CREATE TABLE by_full (id int, v text)", "ALTER TABLE by_full REPLICA IDENTITY FULL",
                "CREATE TABLE by_index (id int, code text NOT NULL, v text)",
                "CREATE UNIQUE INDEX by_index_code ON by_index (code)",
                "ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code",
                "INSERT INTO by_key VALUES (1, 'a')", "INSERT INTO by_full VALUES (1, 'a')",
                "INSERT INTO by_index VALUES (1, 'c1', 'a')");
        try (ChangeStream stream = Streams.open(db, "identities")) {
            sql(db, "UPDATE by_key SET v = 'b' WHERE id = 1");
            Update plain = only(nextChanges(stream), Update.class);
            assertThat(plain.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
            assertThat(plain.oldKind()).isEqualTo(OldRow.NONE);
            assertThat(plain.oldRow()).isNull();
            assertThat(plain.newRow().text(1)).isEqualTo("b");

            sql(db, "UPDATE by_key SET id = 2 WHERE id = 1");
            Update keyChange = only(nextChanges(stream), Update.class);
            assertThat(keyChange.oldKind()).isEqualTo(OldRow.KEY);
            assertThat(keyChange.oldRow().text(0)).isEqualTo("1");
            assertThat(keyChange.oldRow().isNull(1)).isTrue();
            assertThat(keyChange.newRow().text(0)).isEqualTo("2");

            sql(db, "DELETE FROM by_key");
            Delete keyDelete = only(nextChanges(stream), Delete.class);
            assertThat(keyDelete.oldKind()).isEqualTo(OldRow.KEY);
            assertThat(keyDelete.oldRow().text(0)).isEqualTo("2");

            sql(db, "UPDATE by_full SET v = 'b'");
            Update full = only(nextChanges(stream), Update.class);
            assertThat(full.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.FULL);
            assertThat(full.oldKind()).isEqualTo(OldRow.FULL);
            assertThat(full.oldRow().text(1)).isEqualTo("a");
            assertThat(full.relation().columns()).allMatch(Relation.Column::key);

            sql(db, "DELETE FROM by_full");
            Delete fullDelete = only(nextChanges(stream), Delete.class);
            assertThat(fullDelete.oldKind()).isEqualTo(OldRow.FULL);
            assertThat(fullDelete.oldRow().text(1)).isEqualTo("b");

            sql(db, "UPDATE by_index SET code = 'c2'");
            Update byIndex = only(nextChanges(stream), Update.class);
            assertThat(byIndex.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.INDEX);
            assertThat(byIndex.relation().columns()).extracting(Relation.Column::key).containsExactly(false, true, false);
            assertThat(byIndex.oldKind()).isEqualTo(OldRow.KEY);
            assertThat(byIndex.oldRow().text(1)).isEqualTo("c1");
            assertThat(byIndex.oldRow().isNull(0)).isTrue();
        }
    }

    @Test
    void replicaIdentityNothingRefusesUpdatesAtTheSourceAndPublishesInserts() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE nothing (id int, v text)", "ALTER TABLE nothing REPLICA IDENTITY NOTHING");
        try (ChangeStream stream = Streams.open(db, "nothing")) {
            sql(db, "INSERT INTO nothing VALUES (1, 'a')");
            Insert insert = only(nextChanges(stream), Insert.class);
            assertThat(insert.relation().replicaIdentity()).isEqualTo(ReplicaIdentity.NOTHING);
            assertThat(insert.relation().columns()).noneMatch(Relation.Column::key);
            // a publication that publishes updates makes PostgreSQL refuse them on such a table
            assertThatThrownBy(() -> sql(db, "UPDATE nothing SET v = 'b'"))
                    .hasMessageContaining("does not have a replica identity");
            sql(db, "INSERT INTO nothing VALUES (2, 'c')");
            assertThat(only(nextChanges(stream), Insert.class).newRow().text(0)).isEqualTo("2");
        }
    }

    @Test
    void truncateNamesEveryTableItEmptiedAndItsOptions() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE parent (id serial PRIMARY KEY)",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)",
                "INSERT INTO parent DEFAULT VALUES", "INSERT INTO child VALUES (1, 1)");
        try (ChangeStream stream = Streams.open(db, "truncates")) {
            sql(db, "TRUNCATE parent RESTART IDENTITY CASCADE");
            Truncate cascade = only(nextChanges(stream), Truncate.class);
            assertThat(cascade.relations()).extracting(Relation::table).containsExactlyInAnyOrder("parent", "child");
            assertThat(cascade.cascade()).isTrue();
            assertThat(cascade.restartIdentity()).isTrue();

            sql(db, "TRUNCATE child");
            Truncate plain = only(nextChanges(stream), Truncate.class);
            assertThat(plain.relations()).extracting(Relation::table).containsExactly("child");
            assertThat(plain.cascade()).isFalse();
            assertThat(plain.restartIdentity()).isFalse();
        }
    }

    @Test
    void logicalMessagesArriveInsideAndOutsideTransactions() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE t (id int PRIMARY KEY)");
        try (ChangeStream stream = Streams.open(db, "messages")) {
            sql(db, "BEGIN", "INSERT INTO t VALUES (1)",
                    "SELECT pg_logical_emit_message(true, 'checkpoint', 'in the transaction ✓')", "COMMIT");
            List<ReplicationMessage> changes = nextChanges(stream);
            assertThat(changes).hasSize(2);
            Message inside = (Message) changes.get(1);
            assertThat(inside.transactional()).isTrue();
            assertThat(inside.prefix()).isEqualTo("checkpoint");
            assertThat(inside.contentAsString()).isEqualTo("in the transaction ✓");
            assertThat(inside.xid()).isEqualTo(((Insert) changes.get(0)).xid()).isPositive();
            assertThat(inside.messageLsn()).isEqualTo(inside.position());

            // a non-transactional message survives the rollback of the transaction that wrote it
            sql(db, "BEGIN", "INSERT INTO t VALUES (2)",
                    "SELECT pg_logical_emit_message(false, 'note', '\\x00ff'::bytea)", "ROLLBACK");
            Message outside = (Message) next(stream);
            assertThat(outside.transactional()).isFalse();
            assertThat(outside.xid()).isZero();
            assertThat(outside.prefix()).isEqualTo("note");
            assertThat(outside.content()).containsExactly(0x00, 0xff);

            sql(db, "INSERT INTO t VALUES (3)");
            assertThat(only(nextChanges(stream), Insert.class).newRow().text(0)).isEqualTo("3");
        }
    }

    @Test
    void originAndUserTypesAreDescribed() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TYPE mood AS ENUM ('sad', 'happy')", "CREATE TABLE feelings (id int PRIMARY KEY, m mood)");
        try (ChangeStream stream = Streams.open(db, "origins")) {
            sql(db, "SELECT pg_replication_origin_create('elsewhere')",
                    "SELECT pg_replication_origin_session_setup('elsewhere')",
                    "BEGIN", "SELECT pg_replication_origin_xact_setup('0/AB', now())",
                    "INSERT INTO feelings VALUES (1, 'happy')", "COMMIT");
            Begin begin = (Begin) next(stream);
            Origin origin = (Origin) next(stream);
            assertThat(origin.name()).isEqualTo("elsewhere");
            assertThat(origin.originCommitLsn()).isEqualTo(Lsn.parse("0/AB"));
            assertThat(origin.xid()).isEqualTo(begin.xid());
            Type mood = (Type) next(stream);
            assertThat(mood.schema()).isEqualTo("public");
            assertThat(mood.name()).isEqualTo("mood");
            Relation feelings = ((RelationMessage) next(stream)).relation();
            assertThat(feelings.columns().get(1).typeOid()).isEqualTo(mood.oid());
            Insert insert = (Insert) next(stream);
            assertThat(insert.newRow().toJava("m")).isEqualTo("happy");
            assertThat(next(stream)).isInstanceOf(Commit.class);
        }
    }

    @Test
    void anUnchangedToastedColumnArrivesAsAMarkerNotANull() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE docs (id int PRIMARY KEY, n int, body text, note text)",
                "ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO docs VALUES (1, 0, repeat('0123456789', 20000), NULL)");
        try (ChangeStream stream = Streams.open(db, "toast")) {
            sql(db, "UPDATE docs SET n = 1");
            Update update = only(nextChanges(stream), Update.class);
            Row row = update.newRow();
            assertThat(row.text(1)).isEqualTo("1");
            assertThat(row.isUnchangedToast(2)).isTrue();
            assertThat(row.isNull(2)).isFalse();
            assertThat(row.value(2)).isSameAs(ColumnValue.UNCHANGED_TOAST);
            assertThat(row.isNull(3)).isTrue();
            assertThat(row.toJava(3)).isNull();
            assertThatThrownBy(() -> row.toJava(2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("unchanged TOASTed value");

            sql(db, "UPDATE docs SET body = body || '!'");
            Update changed = only(nextChanges(stream), Update.class);
            assertThat(changed.newRow().text(2)).hasSize(200_001).endsWith("9!");
        }
    }

    @Test
    void binaryValuesComeInTheTypesSendForm() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE b (id int PRIMARY KEY, v text)");
        new Publications(db).createForAllTables("bin");
        new ReplicationSlots(db).create("bin");
        try (ChangeStream stream = ChangeStream.builder(db).slot("bin").publications("bin").binary(true).open()) {
            sql(db, "INSERT INTO b VALUES (258, 'hé')");
            Row row = only(nextChanges(stream), Insert.class).newRow();
            assertThat(((ColumnValue.Binary) row.value(0)).bytes()).containsExactly(0, 0, 1, 2);
            assertThat((byte[]) row.toJava(1)).containsExactly("hé".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void nonAsciiNamesAndValuesSurvive() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE SCHEMA \"schéma\"", "CREATE TABLE \"schéma\".\"tâble \"\"q\"\"\" (\"ключ\" int PRIMARY KEY, \"值\" text)");
        try (ChangeStream stream = Streams.open(db, "unicode")) {
            sql(db, "INSERT INTO \"schéma\".\"tâble \"\"q\"\"\" VALUES (1, '😀 e\u0301 漢字')");
            Insert insert = only(nextChanges(stream), Insert.class);
            assertThat(insert.relation().schema()).isEqualTo("schéma");
            assertThat(insert.relation().table()).isEqualTo("tâble \"q\"");
            assertThat(insert.relation().columns()).extracting(Relation.Column::name).containsExactly("ключ", "值");
            assertThat(insert.newRow().toJava("值")).isEqualTo("😀 e\u0301 漢字");
        }
    }
}
