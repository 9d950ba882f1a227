package dev.pgcorral.migration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;

/** How a server's or the driver's error text is shown: never with the password in it, and never garbled. */
class RemoteServerTest {

    private static final String WITHHELD = "the error text is withheld: it contains the node's password (SQLException)";

    private static String shown(String message, String password) {
        return RemoteServer.message(new SQLException(message), new ConnectionDetails("127.0.0.1", 47398, "bench", "migrator", password));
    }

    @Test
    void aMessageThatHoldsThePasswordIsWithheldWhole() {
        assertThat(shown("FATAL: password Mig#r8:t0r@x/y? rejected", "Mig#r8:t0r@x/y?")).isEqualTo(WITHHELD);
        assertThat(shown("bad password x#abc", "#abc")).isEqualTo(WITHHELD);
        assertThat(shown("Connection to 127.0.0.1:47398 refused", "1")).as("never garbled into 127.0.0.********").isEqualTo(WITHHELD);
    }

    @Test
    void aMessageWithoutThePasswordIsShownAsItIs() {
        String failed = "FATAL: password authentication failed for user \"migrator\"";
        assertThat(shown(failed, "s3cret")).isEqualTo(failed);
        assertThat(shown("An error occurred while setting up the SSL connection.", "q")).isEqualTo(
                "An error occurred while setting up the SSL connection.");
    }

    @Test
    void aPasswordThatIsTheUserHostPortOrDatabaseLeavesTheMessageAsItIs() {
        String failed = "FATAL: password authentication failed for user \"migrator\"";
        assertThat(shown(failed, "migrator")).isEqualTo(failed);
        assertThat(shown("Connection to 127.0.0.1:47398 refused", "47398")).isEqualTo("Connection to 127.0.0.1:47398 refused");
        assertThat(shown("FATAL: database \"bench\" does not exist", "bench")).isEqualTo("FATAL: database \"bench\" does not exist");
    }
}
