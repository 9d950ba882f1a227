package dev.pgcorral.lock.client.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import dev.pgcorral.lock.client.LockClient;
import dev.pgcorral.lock.client.LockServiceUnderTestAccess;

/** {@code jdbc:pgcorral:} URLs through plain {@link DriverManager}, against a real lock-service. */
class JdbcUrlTest {

    private static LockClient client;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        client = LockServiceUnderTestAccess.useFromEnvironment();
        base = "jdbc:pgcorral://" + client.settings().url().getHost() + ":" + client.settings().url().getPort();
    }

    @AfterEach
    void allBack() {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status().locked() == 0);
    }

    private static String database(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void connectionsToOneUrlShareItsDatabaseWhichGoesBackWithTheLastOne() throws Exception {
        Connection first = DriverManager.getConnection(base + "/JdbcUrlTest.shared");
        Connection second = DriverManager.getConnection(base + "/JdbcUrlTest.shared");
        assertThat(database(second)).isEqualTo(database(first));
        assertThat(first.unwrap(PGConnection.class)).isNotNull();
        assertThat(client.status().locked()).isEqualTo(1);

        first.close();
        first.close(); // twice counts once
        assertThat(first.isClosed()).isTrue();
        assertThat(client.status().locked()).isEqualTo(1);
        assertThat(database(second)).isNotBlank();

        second.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status().locked() == 0);
    }

    @Test
    void onceGivenBackTheNextConnectionGetsAFreshDatabase() throws Exception {
        String url = base + "/JdbcUrlTest.fresh?wait_seconds=30";
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE left_behind (id int)");
        }
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('left_behind') IS NULL")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("a clean copy of the template").isTrue();
        }
    }

    @Test
    void keepHoldsTheDatabaseAfterTheLastConnectionUntilItIsReleased() throws Exception {
        String url = base + "/JdbcUrlTest.kept?keep=true";
        String name;
        try (Connection c = DriverManager.getConnection(url)) {
            name = database(c);
        }
        assertThat(client.status().locked()).isEqualTo(1);
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(database(c)).isEqualTo(name);
        }
        assertThat(client.releaseAll()).isEqualTo(1);
    }

    @Test
    void aBadUrlOrAnAbsentLockServiceGetsOneClearMessage() throws Exception {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:pgcorral://localhost/x"))
                .isInstanceOf(SQLException.class).hasMessageContaining("needs lock-service's host and port").hasNoCause();
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/x?password=secret"))
                .isInstanceOf(SQLException.class).hasMessageContaining("unknown parameter password").hasNoCause();
        assertThatThrownBy(() -> DriverManager.getConnection(base + "/x?wait_seconds=-1"))
                .hasMessageContaining("wait_seconds must be a whole number from 0 to 3600");
        String nowhere = "jdbc:pgcorral://127.0.0.1:" + LockServiceUnderTestAccess.freePort() + "/x";
        assertThatThrownBy(() -> DriverManager.getConnection(nowhere))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
                .hasMessageContaining("cannot reach lock-service").hasNoCause();
        assertThat(client.status().locked()).isZero();
    }
}
