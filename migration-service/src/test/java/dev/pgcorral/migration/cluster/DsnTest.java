package dev.pgcorral.migration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;

/** Connection strings in both of libpq's forms, read without ever echoing a value in an error. */
class DsnTest {

    @Test
    void urlsArePercentDecodedAndFilledWithLibpqsDefaults() {
        Dsn full = Dsn.parse("postgresql://app%20user:p%40ss%3Aw%2Frd%25@db.example.com:6543/my%2Fdb?sslmode=require&application_name=x");
        assertThat(full.target()).isEqualTo(new ConnectionDetails("db.example.com", 6543, "my/db", "app user", "p@ss:w/rd%"));
        assertThat(full.sslMode()).isEqualTo("require");
        assertThat(Dsn.parse("postgres://h").target()).isEqualTo(new ConnectionDetails("h", 5432, "postgres", "postgres", ""));
        assertThat(Dsn.parse("POSTGRESQL://bob@h/").target()).isEqualTo(new ConnectionDetails("h", 5432, "bob", "bob", ""));
        assertThat(Dsn.parse("postgresql://").target()).isEqualTo(new ConnectionDetails("localhost", 5432, "postgres", "postgres", ""));
        assertThat(Dsn.parse("postgresql://u:a@b:c@[::1]:5433/d").target()).isEqualTo(new ConnectionDetails("::1", 5433, "d", "u", "a@b:c"));
        assertThat(Dsn.parse("postgresql://u@h/d?user=v&password=p%26q&port=7&dbname=e&host=k").target())
                .isEqualTo(new ConnectionDetails("k", 7, "e", "v", "p&q"));
        assertThat(Dsn.parse("postgresql://u:pa+ss@h/d#frag").target().password()).isEqualTo("pa+ss");
    }

    @Test
    void keyValueStringsTakeQuotesAndEscapes() {
        Dsn dsn = Dsn.parse("  host=10.0.0.1 port = 5433 user=app password='it\\'s a \\\\ secret' dbname=shop sslmode=disable connect_timeout=3");
        assertThat(dsn.target()).isEqualTo(new ConnectionDetails("10.0.0.1", 5433, "shop", "app", "it's a \\ secret"));
        assertThat(dsn.sslMode()).isEqualTo("disable");
        assertThat(Dsn.parse("hostaddr=127.0.0.1 password=a\\ b").target()).isEqualTo(new ConnectionDetails("127.0.0.1", 5432, "postgres",
                "postgres", "a b"));
        assertThat(Dsn.parse("user=x password=''").target().password()).isEmpty();
    }

    @Test
    void errorsSayWhatIsWrongWithoutRepeatingValues() {
        assertRefused("nonsense", "neither a postgresql:// URL nor a list of key=value settings");
        assertRefused("postgresql://u:Secret1@h:99999/d", "port in the connection string must be a number between 1 and 65535");
        assertRefused("postgresql://u:Secret1@h:x/d", "port");
        assertRefused("postgresql://u:Secret1%zz@h/d", "the password in the connection string holds a % that is not followed by two hex digits");
        assertRefused("postgresql://u:Secret1@h1,h2/d", "several hosts");
        assertRefused("postgresql://u:Secret1@[::1/d", "lacks its closing ]");
        assertRefused("host=/var/run/postgresql password=Secret1", "Unix-domain socket");
        assertRefused("host=h?sslfactory=x password=Secret1", "must be a host name or an IP address");
        assertRefused("host=h password='Secret1", "password in the connection string lacks its closing quote");
        assertRefused("host=h password", "the setting password in the connection string lacks =value");
        assertRefused("host=h sslmode=maybe password=Secret1", "sslmode");
        assertThat(Dsn.parse("postgresql://u:Secret1@h/d").toString()).doesNotContain("Secret1");
    }

    private static void assertRefused(String dsn, String message) {
        assertThatThrownBy(() -> Dsn.parse(dsn)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                .hasMessageNotContaining("Secret1");
    }
}
