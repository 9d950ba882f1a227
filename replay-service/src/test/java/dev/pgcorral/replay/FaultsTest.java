package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.travel.Restore;

/** A source that is not ready for logical replication, and a target server that goes away during a restore. */
class FaultsTest extends ReplayTestBase {

    @TempDir
    Path dir;

    private LocalPostgres other;

    @AfterEach
    void stopOther() {
        if (other != null) {
            other.close();
        }
    }

    private LocalPostgres otherServer(boolean logical) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(null), dir.resolve("other"), true, 0, "127.0.0.1",
                "postgres", "0ther-secret", Map.of(), ServerAccount.resolve(null), Duration.ofSeconds(60));
        other = new LocalPostgres(logical ? options.withLogicalReplication() : options);
        other.start();
        return other;
    }

    @Test
    void aSourceWithoutLogicalWalIsRefusedNamingTheSettingAndNothingIsLeft() throws Exception {
        LocalPostgres plain = otherServer(false);
        int before = sessions.all().size();
        assertThatThrownBy(() -> sessions.create(new NewSession("plain", null, null, plain.connectionDetails("postgres").postgresUrl(),
                null, null)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("wal_level")
                .hasMessageNotContaining("0ther-secret")
                .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(409));
        assertThat(sessions.all()).hasSize(before);
        assertThat(count(plain.connectionDetails("postgres"), "SELECT count(*) FROM pg_publication")).isZero();
        assertThat(count(plain.connectionDetails("postgres"), "SELECT count(*) FROM pg_event_trigger")).isZero();
        assertThat(count(plain.connectionDetails("postgres"), "SELECT count(*) FROM pg_namespace WHERE nspname = 'pgcorral_replay'")).isZero();
    }

    @Test
    void aTargetThatGoesAwayFailsTheRestoreClearlyAndItIsNotMarkedDone() throws Exception {
        LocalPostgres targetServer = otherServer(false);
        sql(source(), "CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY, body text)", "TRUNCATE notes");
        Session session = sessions.create(new NewSession("faults", null, null, null,
                targetServer.connectionDetails("postgres").withDatabase("moved").postgresUrl(), null));
        sql(source(), "INSERT INTO notes VALUES (1, 'one')");
        Checkpoint one = checkpoints.create(session, "one", null);
        Restore first = restorer.runNow(sessions.get(session.id()), one.entryIndex(), one);
        assertThat(first.state()).isEqualTo(Restore.State.DONE);
        assertThat(rows(targetServer.connectionDetails("moved"), "SELECT body FROM notes")).containsExactly("one");

        targetServer.stop();
        Restore failed = restorer.runNow(sessions.get(session.id()), 0, null);
        assertThat(failed.state()).isEqualTo(Restore.State.FAILED);
        assertThat(failed.error()).contains("restore failed").doesNotContain("0ther-secret");
        assertThat(sessions.get(session.id()).targetSeq()).isEqualTo(one.entryIndex());

        targetServer.start();
        Restore again = restorer.runNow(sessions.get(session.id()), 0, null);
        assertThat(again.state()).isEqualTo(Restore.State.DONE);
        assertThat(rows(targetServer.connectionDetails("moved"), "SELECT count(*) FROM notes")).containsExactly("0");
        sessions.delete(session.id());
    }

    @Test
    void manySessionsCaptureAtOnceAndTheMetadataPoolStillServes() {
        java.util.List<Session> many = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            many.add(sessions.create(new NewSession("many " + i, null, null, null, null, null)));
        }
        assertThat(many).extracting(s -> s.target().database()).doesNotHaveDuplicates();
        Checkpoint last = checkpoints.create(sessions.get(many.get(9).id()), null, null);
        assertThat(last.captured()).isTrue();
        assertThat(last.name()).isEqualTo("checkpoint 2");
        for (Session s : many) {
            sessions.delete(s.id());
        }
        assertThat(count(source(), "SELECT count(*) FROM pg_replication_slots")).isZero();
    }
}
