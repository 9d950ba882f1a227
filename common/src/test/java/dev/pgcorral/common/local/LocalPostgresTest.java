package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded runtime against real PostgreSQL servers: the machine's, and the bundled ones. */
class LocalPostgresTest {

    @TempDir
    Path base;

    @Test
    void startsServesAndStopsAThrowawayServerAsAnUnprivilegedAccount() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        LocalPostgres server = server(binaries, base.resolve("data"), false);
        server.start();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('fsync'), current_setting('server_version_num')::int / 10000")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("off");
                assertThat(rs.getInt(2)).isEqualTo(binaries.majorVersion());
            }
        }
        assertThat(server.connectionDetails("postgres").port()).isEqualTo(server.port()).isPositive();
        if (ServerAccount.isRoot()) {
            assertThat(Files.getOwner(base.resolve("data")).getName()).isNotEqualTo("root");
        }
        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThat(base.resolve("data")).doesNotExist();
    }

    @Test
    void keptDataSurvivesARestart() throws Exception {
        LocalPostgres server = server(PostgresBinaries.locate(null), base.resolve("kept"), true);
        Path besides = Files.writeString(base.resolve("kept.log"), "a user's own log, named after the data directory");
        server.start();
        assertThat(server.logFile()).as("the server's log is in its data directory").isEqualTo(base.resolve("kept").resolve(LocalPostgres.LOG_FILE))
                .content().contains("database system is ready");
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE survivor");
        }
        server.stop();
        server.start();
        try (Connection c = server.connect("survivor")) {
            assertThat(c.isValid(2)).isTrue();
        } finally {
            server.stop();
        }
        assertThat(base.resolve("kept").resolve("PG_VERSION")).exists();
        assertThat(besides).as("a file beside the data directory is left alone").hasContent("a user's own log, named after the data directory");
    }

    @Test
    void noticesWhenTheServerDies() throws Exception {
        LocalPostgres server = server(PostgresBinaries.locate(null), base.resolve("dies"), false);
        CountDownLatch died = new CountDownLatch(1);
        server.onUnexpectedExit(died::countDown);
        server.start();
        server.kill();
        assertThat(died.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.isRunning()).isFalse();
        server.stop();
    }

    @Test
    void aServerToldToRestartWhenItDiesComesBackWithItsDataAfterAKill() throws Exception {
        LocalPostgres server = server(PostgresBinaries.locate(null), base.resolve("back"), true);
        server.restartWhenItDies();
        server.start();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE survivor");
        }
        String killed = startedAt(server);
        server.kill();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try (Connection c = server.connect("survivor")) {
                    return c.isValid(2);
                } catch (java.sql.SQLException notYet) {
                    return false;
                }
            });
            assertThat(startedAt(server)).as("a new postmaster").isNotEqualTo(killed);
        } finally {
            server.stop();
        }
        assertThat(server.isRunning()).isFalse();
    }

    private static String startedAt(LocalPostgres server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_postmaster_start_time()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aDataDirectoryAnotherServerRunsOnIsRefusedAndLeftAlone() throws Exception {
        PostgresBinaries binaries = PostgresBinaries.locate(null);
        Path shared = base.resolve("shared");
        LocalPostgres first = server(binaries, shared, true);
        first.start();
        try {
            try (Connection c = first.connect("postgres"); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE first_ones");
            }
            // a second one on the same directory (another instance of a service), throwaway even: refused, nothing deleted
            for (boolean keep : new boolean[] {true, false}) {
                LocalPostgres second = server(binaries, shared, keep);
                second.restartWhenItDies();
                assertThatThrownBy(second::start).isInstanceOf(DataDirectoryInUseException.class)
                        .hasMessageContaining("the data directory " + shared + " is in use by a running PostgreSQL");
                assertThat(second.isRunning()).isFalse();
            }
            try (Connection c = first.connect("first_ones")) {
                assertThat(c.isValid(2)).as("the first server and its data are untouched").isTrue();
            }
        } finally {
            first.stop();
        }
    }

    @Test
    void aThrowawayServerWhoseDataWasDamagedStartsOverFresh() throws Exception {
        // the damaged server stays in recovery without taking connections: it is given up on at the start timeout
        LocalPostgres server = server(PostgresBinaries.locate(null), base.resolve("damaged"), false, LocalPostgres.THROWAWAY_SETTINGS,
                Duration.ofSeconds(15));
        server.start();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE lost");
        }
        server.kill();
        Files.delete(base.resolve("damaged").resolve("global").resolve("pg_filenode.map"));
        server.start();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = 'lost'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void runsTheBinariesBundledFromMavenCentralWhenNothingIsInstalled() throws Exception {
        PostgresBinaries bundled = PostgresBinaries.bundled();
        assertThat(bundled.source()).isEqualTo(PostgresBinaries.Source.BUNDLED);
        assertThat(bundled.binDir()).startsWith(Path.of(System.getProperty("java.io.tmpdir")));
        LocalPostgres server = server(bundled, base.resolve("bundled"), false);
        server.start();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            assertThat(rs.getString(1)).contains("PostgreSQL " + bundled.version());
        } finally {
            server.stop();
        }
    }

    @Test
    void aConfiguredDirectoryWithoutPostgresIsRefusedWithItsName() {
        assertThatThrownBy(() -> PostgresBinaries.locate(base))
                .hasMessageContaining(base.toString()).hasMessageContaining("initdb");
    }

    @Test
    void aFailedStartSaysWhy() {
        LocalPostgres server = server(PostgresBinaries.locate(null), base.resolve("bad"), false,
                Map.of("shared_buffers", "nonsense"));
        assertThatThrownBy(server::start).hasMessageContaining("shared_buffers");
        server.stop();
    }

    private LocalPostgres server(PostgresBinaries binaries, Path dataDir, boolean keep) {
        return server(binaries, dataDir, keep, LocalPostgres.THROWAWAY_SETTINGS, null);
    }

    private LocalPostgres server(PostgresBinaries binaries, Path dataDir, boolean keep, Map<String, String> settings) {
        return server(binaries, dataDir, keep, settings, null);
    }

    /** @param startTimeout null: the default */
    private LocalPostgres server(PostgresBinaries binaries, Path dataDir, boolean keep, Map<String, String> settings,
                                 Duration startTimeout) {
        try {
            ServerAccount account = ServerAccount.resolve(null);
            Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return new LocalPostgres(new LocalPostgres.Options(binaries, dataDir, keep, 0, "127.0.0.1", "tester",
                    "secret", settings, account, startTimeout));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
