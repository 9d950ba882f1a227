package dev.pgcorral.migration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;

/** How a server's or the driver's error text is shown: a password in it masked as a word of its own, nothing else touched. */
class RemoteServerTest {

    private static String shown(String message, String password) {
        return RemoteServer.message(new SQLException(message), new ConnectionDetails("127.0.0.1", 47398, "bench", "migrator", password));
    }

    @Test
    void aPasswordInTheMessageIsMaskedAsAWordOfItsOwn() {
        assertThat(shown("FATAL: no pg_hba.conf entry, password Mig#r8:t0r@x/y? rejected", "Mig#r8:t0r@x/y?"))
                .isEqualTo("FATAL: no pg_hba.conf entry, password ******** rejected");
        assertThat(shown("bad password \"s3cret\"", "s3cret")).isEqualTo("bad password \"********\"");
    }

    @Test
    void aShortPasswordInsideOtherWordsLeavesThemAlone() {
        String failed = "FATAL: password authentication failed for user \"migrator\"";
        assertThat(shown(failed, "i")).isEqualTo(failed);
        assertThat(shown("An error occurred while setting up the SSL connection.", "p"))
                .isEqualTo("An error occurred while setting up the SSL connection.");
    }

    @Test
    void aPasswordThatIsTheUserHostPortOrDatabaseIsNotMaskedWhereTheMessageShowsThatValue() {
        String failed = "FATAL: password authentication failed for user \"migrator\"";
        assertThat(shown(failed, "migrator")).isEqualTo(failed);
        assertThat(shown("Connection to 127.0.0.1:47398 refused", "47398")).isEqualTo("Connection to 127.0.0.1:47398 refused");
        assertThat(shown("FATAL: database \"bench\" does not exist", "bench")).isEqualTo("FATAL: database \"bench\" does not exist");
    }
}
