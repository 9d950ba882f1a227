package dev.pgcorral.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.NewSession;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.travel.Restore;

/** Configured migrations run on the source after the base copy; their DDL is captured and Migration set after them. */
@TestPropertySource(properties = "pgcorral.replay.migrations=classpath:replay-test-migrations")
class MigrationsTest extends ReplayTestBase {

    @Test
    void migrationsRunAfterTheBaseCopyAndMigrationIsSetAfterThem() {
        Session session = sessions.create(new NewSession("migrated", null, null, null, null, null));
        Checkpoint migration = checkpoints.store().fixed(session.id(), Checkpoint.Kind.MIGRATION).orElseThrow();
        assertThat(migration.captured()).isTrue();
        assertThat(rows(source(), "SELECT owner, balance FROM accounts")).containsExactly("migrated|0.00");
        assertThat(count(target(), "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'")).as("the base copy came first").isZero();

        Restore forward = restorer.runNow(sessions.get(session.id()), migration.entryIndex(), migration);
        assertThat(forward.state()).as(String.valueOf(forward.error())).isEqualTo(Restore.State.DONE);
        assertThat(rows(target(), "SELECT owner, balance FROM accounts")).containsExactly("migrated|0.00");
        assertThat(rows(target(), "SELECT nextval('accounts_id_seq')")).containsExactly("2");

        Checkpoint creation = checkpoints.store().fixed(session.id(), Checkpoint.Kind.CREATION).orElseThrow();
        assertThat(restorer.runNow(sessions.get(session.id()), 0, creation).state()).isEqualTo(Restore.State.DONE);
        assertThat(count(target(), "SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'")).isZero();
    }
}
