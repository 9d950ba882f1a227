package dev.pgcorral.replay.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DdlStatementsTest {

    @Test
    void aSingleStatementIsRecordedWithItsFirstEventOnly() {
        assertThat(DdlStatements.pick("ALTER TABLE t ADD COLUMN c int", 1)).isEqualTo("ALTER TABLE t ADD COLUMN c int");
        assertThat(DdlStatements.pick("DO $$ BEGIN CREATE TABLE a (); CREATE TABLE b (); END $$", 2)).isNull();
    }

    @Test
    void theNthEventOfAStringGetsItsNthDdlStatementSkippingDmlAndUtilities() {
        String query = "BEGIN; INSERT INTO t VALUES (';'); ALTER TABLE t ADD COLUMN \"a;b\" int; /* x; */ UPDATE t SET c = $q$;$q$; "
                + "-- comment; here\n CREATE INDEX ON t (c); SET search_path = x; COMMIT";
        assertThat(DdlStatements.pick(query, 1)).isEqualTo("ALTER TABLE t ADD COLUMN \"a;b\" int");
        assertThat(DdlStatements.pick(query, 2)).endsWith("CREATE INDEX ON t (c)");
        assertThat(DdlStatements.pick(query, 3)).isNull();
    }
}
