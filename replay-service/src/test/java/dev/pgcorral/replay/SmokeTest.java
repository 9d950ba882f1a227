package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.replay.backup.Backup;
import dev.pgcorral.replay.backup.Backups;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.status.ReplayStatus;
import dev.pgcorral.replay.travel.Restore;
import io.micrometer.core.instrument.MeterRegistry;

class SmokeTest extends ReplayTestBase {

    @Autowired
    Backups backups;
    @Autowired
    MeterRegistry registry;
    @Autowired
    ReplayStatus status;
    @Autowired
    JdbcClient metadata;

    @Test
    void capturesAndTravels() {
        sql(source(), "CREATE TABLE items (id serial PRIMARY KEY, name text)", "INSERT INTO items (name) VALUES ('a'), ('b')");
        Session session = sessions.create(new NewSession("smoke", null, null, null, null, null));
        assertThat(rows(target(), "SELECT name FROM items ORDER BY id")).containsExactly("a", "b");
        long began = count(source(), "WITH i AS (INSERT INTO items (name) VALUES ('c') RETURNING 1) "
                + "SELECT (extract(epoch FROM now()) * 1000000)::bigint FROM i");
        sql(source(), "UPDATE items SET name = 'B' WHERE name = 'b'");
        Checkpoint one = checkpoints.create(session, "one", null);
        assertThat(one.captured()).isTrue();
        assertThat(one.entryIndex()).isEqualTo(2);
        // commit times as the source's, in microseconds: the first after its transaction began, the second before the checkpoint's
        // transaction, the last stored (the session's stored_at)
        long stored = metadata.sql("SELECT (extract(epoch FROM commit_time) * 1000000)::bigint FROM replay.changes "
                + "WHERE session_id = ? AND seq = 1").param(session.id()).query(Long.class).single();
        assertThat(stored - began).isBetween(0L, 60_000_000L);
        assertThat(metadata.sql("SELECT c.commit_time > f.commit_time AND c.commit_time < s.stored_at FROM replay.changes c "
                + "JOIN replay.changes f ON f.session_id = c.session_id AND f.seq = 1 JOIN replay.sessions s ON s.id = c.session_id "
                + "WHERE c.session_id = ? AND c.seq = 2").param(session.id()).query(Boolean.class).single()).isTrue();
        assertThat(registry.get("pgcorral.replay.capture.entries").counter().count()).isEqualTo(2);
        assertThat(registry.get("pgcorral.replay.sessions").gauge().value()).isEqualTo(1);
        // idle: other databases' WAL (the metadata's) moves the keep-alive position, which is not lag
        await().atMost(Duration.ofSeconds(30)).until(() -> status.snapshot().sessions().get(0).lagBytes() == 0
                && status.snapshot().sessions().get(0).streaming());
        assertThat(status.snapshot().sessions().get(0).lastCheckpoint()).isEqualTo("one");
        sql(source(), "ALTER TABLE items ADD COLUMN price numeric", "INSERT INTO items (name, price) VALUES ('d', 1.50)",
                "DELETE FROM items WHERE name = 'a'");
        Checkpoint two = checkpoints.create(session, "two", null);
        Session now = sessions.get(session.id());
        Restore forward = restorer.runNow(now, two.entryIndex(), two);
        assertThat(forward.error()).isNull();
        assertThat(rows(target(), "SELECT name, price FROM items ORDER BY id")).containsExactly("B|null", "c|null", "d|1.50");
        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.store().find(one.id()).orElseThrow().copyReady());
        Restore back = restorer.runNow(sessions.get(session.id()), one.entryIndex(), checkpoints.store().find(one.id()).orElseThrow());
        assertThat(back.error()).isNull();
        assertThat(rows(target(), "SELECT name FROM items ORDER BY id")).containsExactly("a", "B", "c");

        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoints.store().find(two.id()).orElseThrow().copyReady());
        Backup backup = backups.take(sessions.get(session.id()), checkpoints.store().find(two.id()).orElseThrow());
        assertThat(backup.sizeBytes()).isPositive();
        assertThat(backups.of(session.id())).extracting(Backup::id).containsExactly(backup.id());
        backups.restore(sessions.get(session.id()), backup);
        assertThat(rows(target(), "SELECT name, price FROM items ORDER BY id")).containsExactly("B|null", "c|null", "d|1.50");
        assertThat(sessions.get(session.id()).targetSeq()).isEqualTo(two.entryIndex());
        backups.delete(session.id(), backup.id());
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(backup.file()))).isFalse();
        sessions.delete(session.id());
        assertThat(count(source(), "SELECT count(*) FROM pg_replication_slots")).isZero();
        assertThat(metadata.sql("SELECT count(*) FROM replay.changes WHERE session_id = ?").param(session.id()).query(Long.class).single())
                .isZero();
    }
}
