package dev.pgcorral.common.logical;

import static dev.pgcorral.common.logical.Streams.nextChanges;
import static dev.pgcorral.common.logical.Streams.only;
import static dev.pgcorral.common.logical.TestSource.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.logical.LogicalReplicationException.Reason;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** Slots, exported snapshots and publications on real servers, and every refusal in words. */
class SlotsAndPublicationsTest {

    @TempDir
    static Path base;
    static TestSource source;
    /** One slot and one WAL sender at most. */
    static TestSource tight;
    /** wal_level = replica, as initdb leaves it. */
    static TestSource plain;

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        source = TestSource.logical(Files.createDirectory(base.resolve("source")), Map.of());
        tight = TestSource.logical(Files.createDirectory(base.resolve("tight")),
                Map.of("max_replication_slots", "1", "max_wal_senders", "1"));
        plain = TestSource.plain(Files.createDirectory(base.resolve("plain")));
    }

    @AfterAll
    static void stop() {
        for (TestSource s : new TestSource[] {source, tight, plain}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void theExportedSnapshotAndTheStreamMeetExactly() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 100)");
        new Publications(db).createForAllTables("copy");
        ReplicationSlots slots = new ReplicationSlots(db);
        List<Integer> copied = new ArrayList<>();
        try (ExportedSnapshot snapshot = slots.createWithSnapshot("copy")) {
            assertThat(snapshot.slot()).isEqualTo("copy");
            assertThat(snapshot.snapshotName()).isNotBlank();
            assertThat(snapshot.consistentPoint().isValid()).isTrue();
            // changes after the slot's consistent point: not in the copy, in the stream
            sql(db, "INSERT INTO t VALUES (101)", "DELETE FROM t WHERE id = 1");
            try (Connection reader = db.connect()) {
                snapshot.beginTransaction(reader);
                try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM t ORDER BY id")) {
                    while (rs.next()) {
                        copied.add(rs.getInt(1));
                    }
                }
                reader.commit();
            }
            assertThat(snapshot.isOpen()).isTrue();
        }
        assertThat(copied).hasSize(100).startsWith(1).endsWith(100);
        assertThat(slots.find("copy")).get().satisfies(info -> {
            assertThat(info.plugin()).isEqualTo("pgoutput");
            assertThat(info.database()).isEqualTo(db.database());
            assertThat(info.active()).isFalse();
        });
        try (ChangeStream stream = ChangeStream.builder(db).slot("copy").publications("copy").open()) {
            assertThat(only(nextChanges(stream), Insert.class).newRow().text(0)).isEqualTo("101");
            assertThat(only(nextChanges(stream), ReplicationMessage.Delete.class).oldRow().text(0)).isEqualTo("1");
            assertThat(slots.find("copy").orElseThrow().active()).isTrue();
        }
        assertThat(slots.drop("copy")).isTrue();
        assertThat(slots.drop("copy")).isFalse();
        assertThat(slots.find("copy")).isEmpty();
    }

    @Test
    void publicationsForAListOfTablesCarryOnlyThoseTables() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE SCHEMA \"My Schema\"", "CREATE TABLE \"My Schema\".wanted (id int PRIMARY KEY)",
                "CREATE TABLE other (id int PRIMARY KEY)");
        Publications publications = new Publications(db);
        publications.createForTables("some", List.of(new Publications.Table("My Schema", "wanted")));
        assertThat(publications.exists("some")).isTrue();
        assertThatThrownBy(() -> publications.createForAllTables("some"))
                .isInstanceOf(LogicalReplicationException.class)
                .satisfies(e -> assertThat(((LogicalReplicationException) e).reason()).isEqualTo(Reason.PUBLICATION_EXISTS))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> publications.createForTables("none", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        new ReplicationSlots(db).create("some");
        try (ChangeStream stream = ChangeStream.builder(db).slot("some").publications("some").open()) {
            sql(db, "INSERT INTO other VALUES (1)", "INSERT INTO \"My Schema\".wanted VALUES (2)");
            Insert insert = only(nextChanges(stream), Insert.class);
            assertThat(insert.relation().schema()).isEqualTo("My Schema");
            assertThat(insert.newRow().text(0)).isEqualTo("2");
        }
        assertThat(publications.drop("some")).isTrue();
        assertThat(publications.drop("some")).isFalse();
        assertThat(publications.exists("some")).isFalse();
    }

    @Test
    void aServerBelowWalLevelLogicalIsNamed() throws Exception {
        ConnectionDetails db = plain.newDatabase();
        assertRefused(() -> new ReplicationSlots(db).createWithSnapshot("s"), Reason.WAL_LEVEL, "wal_level must be 'logical'");
        assertRefused(() -> new ReplicationSlots(db).create("s"), Reason.WAL_LEVEL, "wal_level must be 'logical'");
    }

    @Test
    void noFreeSlotAndNoFreeWalSenderAreNamed() throws Exception {
        ConnectionDetails db = tight.newDatabase();
        new Publications(db).createForAllTables("p");
        ReplicationSlots slots = new ReplicationSlots(db);
        slots.create("first");
        try {
            assertRefused(() -> slots.create("second"), Reason.NO_FREE_SLOT, "max_replication_slots");
            assertRefused(() -> slots.createWithSnapshot("second"), Reason.NO_FREE_SLOT, "max_replication_slots");
            try (ChangeStream busy = ChangeStream.builder(db).slot("first").publications("p").open()) {
                assertThat(busy.progress().reconnects()).isZero();
                assertRefused(() -> ChangeStream.builder(db).slot("first").publications("p").reconnectTimeout(java.time.Duration.ZERO).open(),
                        Reason.NO_FREE_WAL_SENDER, "max_wal_senders");
            }
        } finally {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> slots.drop("first"));
        }
    }

    @Test
    void aUserWithoutReplicationIsNamed() throws Exception {
        ConnectionDetails db = source.newDatabase();
        sql(db, "CREATE ROLE plain_user LOGIN PASSWORD 'pw'", "GRANT CREATE ON DATABASE " + db.database() + " TO plain_user");
        ConnectionDetails asPlain = new ConnectionDetails(db.host(), db.port(), db.database(), "plain_user", "pw");
        assertRefused(() -> new ReplicationSlots(asPlain).createWithSnapshot("s"), Reason.NOT_A_REPLICATION_USER,
                "ALTER ROLE <user> REPLICATION");
        assertRefused(() -> new ReplicationSlots(asPlain).create("s"), Reason.NOT_A_REPLICATION_USER,
                "ALTER ROLE <user> REPLICATION");
        assertRefused(() -> new Publications(asPlain).createForAllTables("p"), Reason.PERMISSION_DENIED, "FOR ALL TABLES");
        new ReplicationSlots(db).create("owned");
        new Publications(db).createForAllTables("p");
        assertRefused(() -> ChangeStream.builder(asPlain).slot("owned").publications("p").open(),
                Reason.NOT_A_REPLICATION_USER, "ALTER ROLE <user> REPLICATION");
        assertThat(new ReplicationSlots(db).drop("owned")).isTrue();
    }

    @Test
    void aSlotInUseAMissingSlotAndAMissingPublicationAreNamed() throws Exception {
        ConnectionDetails db = source.newDatabase();
        new Publications(db).createForAllTables("p");
        ReplicationSlots slots = new ReplicationSlots(db);
        slots.create("taken");
        try (ChangeStream first = ChangeStream.builder(db).slot("taken").publications("p").open()) {
            assertThat(first.progress().reconnects()).isZero();
            assertRefused(() -> ChangeStream.builder(db).slot("taken").publications("p").open(),
                    Reason.SLOT_ACTIVE, "only one may at a time");
            assertRefused(() -> slots.drop("taken"), Reason.SLOT_ACTIVE, "only one may at a time");
        }
        assertRefused(() -> ChangeStream.builder(db).slot("absent").publications("p").open(), Reason.SLOT_MISSING,
                "does not exist");
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_physical_replication_slot('standby')");
        }
        assertRefused(() -> ChangeStream.builder(db).slot("standby").publications("p").open(), Reason.FAILED,
                "the slot is a physical slot (a standby's); logical replication needs a logical slot");
        slots.drop("standby");
        assertRefused(() -> ChangeStream.builder(db).slot("taken").publications("p", "nope").open(),
                Reason.PUBLICATION_MISSING, "publication nope does not exist");
        assertRefused(() -> slots.create("taken"), Reason.SLOT_EXISTS, "already exists");
        assertThatThrownBy(() -> slots.create("Bad-Name")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower-case letters, digits and underscores");
    }

    @Test
    void aSlotIsMovedUpToAPositionAndNeverBack() throws Exception {
        ConnectionDetails db = source.newDatabase();
        new Publications(db).createForAllTables("p");
        ReplicationSlots slots = new ReplicationSlots(db);
        Lsn made = slots.create("behind");
        Lsn later;
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            st.execute("SET synchronous_commit = on"); // its WAL flushed: a slot is moved only over WAL the server has on disk
            st.execute("INSERT INTO t SELECT generate_series(1, 100)");
            try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                later = Lsn.parse(rs.getString(1));
            }
        }
        // as far as the server has flushed WAL towards it
        Lsn moved = slots.advance("behind", later);
        assertThat(moved.isAfter(made)).as(moved + " after " + made).isTrue();
        assertThat(later.isAfter(moved) || later.equals(moved)).isTrue();
        assertThat(slots.find("behind").orElseThrow().confirmedFlushLsn()).isEqualTo(moved);
        assertThat(slots.advance("behind", made)).as("never back").isEqualTo(moved);
        assertRefused(() -> slots.advance("absent", later), Reason.SLOT_MISSING, "does not exist");
        slots.drop("behind");
    }

    @Test
    void anUnreachableServerAndAWrongPasswordAreNamedWithoutThePassword() {
        ConnectionDetails db = source.superuser("postgres");
        ConnectionDetails wrong = new ConnectionDetails(db.host(), db.port(), "postgres", db.user(), "not-the-password");
        assertRefused(() -> new ReplicationSlots(wrong).createWithSnapshot("s"), Reason.LOGIN_FAILED, "refused the login");
        ConnectionDetails nowhere = new ConnectionDetails("127.0.0.1", 1, "postgres", db.user(), "secret-pw");
        assertThatThrownBy(() -> new ReplicationSlots(nowhere).find("s"))
                .isInstanceOf(LogicalReplicationException.class)
                .satisfies(e -> assertThat(((LogicalReplicationException) e).reason()).isEqualTo(Reason.UNREACHABLE))
                .hasMessageNotContaining("secret-pw");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason, String words) {
        assertThatThrownBy(call).isInstanceOf(LogicalReplicationException.class)
                .satisfies(e -> assertThat(((LogicalReplicationException) e).reason()).isEqualTo(reason))
                .hasMessageContaining(words);
    }
}
