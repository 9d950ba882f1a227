package dev.pgcorral.common.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionDetailsTest {

    @Test
    void formsOfOneDatabase() {
        ConnectionDetails details = new ConnectionDetails("localhost", 5433, "tester1", "tester", "pgflock");
        assertThat(details.postgresUrl()).isEqualTo("postgresql://tester:pgflock@localhost:5433/tester1");
        assertThat(details.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5433/tester1");
        assertThat(details.redacted()).isEqualTo("postgresql://tester:***@localhost:5433/tester1");
        assertThat(details.toString()).doesNotContain("pgflock");
    }

    @Test
    void specialCharactersSurviveARoundTrip() {
        ConnectionDetails details = new ConnectionDetails("::1", 5432, "my db", "us@er", "p:a/s s+w%rd");
        String url = details.postgresUrl();
        assertThat(url).startsWith("postgresql://us%40er:p%3Aa%2Fs%20s%2Bw%25rd@[::1]:5432/my%20db");
        assertThat(ConnectionDetails.parse(url)).isEqualTo(details);
        assertThat(details.redacted()).doesNotContain("w%25rd");
    }

    @Test
    void parsesWhatPgflockHandsOut() {
        ConnectionDetails parsed = ConnectionDetails.parse("  postgres://tester:pgflock@127.0.0.1:5432/tester3\n");
        assertThat(parsed).isEqualTo(new ConnectionDetails("127.0.0.1", 5432, "tester3", "tester", "pgflock"));
    }

    @Test
    void takesLibpqsDefaultPortAndIgnoresQueryParameters() {
        assertThat(ConnectionDetails.parse("postgres://app:pw@db.example/shop?sslmode=disable"))
                .isEqualTo(new ConnectionDetails("db.example", 5432, "shop", "app", "pw"));
    }

    @Test
    void refusesWhatIsNotAPostgresUrlWithoutEchoingThePassword() {
        assertThatThrownBy(() -> ConnectionDetails.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ConnectionDetails.parse("mysql://u:secret@h:1/db")).hasMessageContaining("postgresql://")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> ConnectionDetails.parse("postgresql://u:secret@/db")).hasMessageContaining("host")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> ConnectionDetails.parse("postgresql://u:secret@h:5432/")).hasMessageContaining("database");
        assertThatThrownBy(() -> ConnectionDetails.parse("postgresql://u:sec ret@h:5432/db x")).hasMessageNotContaining("sec ret");
        assertThatThrownBy(() -> new ConnectionDetails("h", 0, "db", "u", "p")).hasMessageContaining("port");
    }

    @Test
    void quotesIdentifiersAndLiterals() {
        assertThat(Identifiers.quote("my\"db")).isEqualTo("\"my\"\"db\"");
        assertThat(Identifiers.literal("it's")).isEqualTo("'it''s'");
        assertThatThrownBy(() -> Identifiers.quote("")).isInstanceOf(IllegalArgumentException.class);
    }
}
