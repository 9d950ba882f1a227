package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PostgreSQL server lives as long as the JVM that started it, no longer and no shorter. */
class ServerLifetimeTest {

    @TempDir
    Path base;

    @Test
    void aServerDiesWithItsJvm() throws Exception {
        Assumptions.assumeTrue(ServerAccount.diesWithParentSupported(), "no setpriv --pdeathsig on this platform");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = base.resolve("orphan");
        Path out = base.resolve("child.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServerInAChildJvm.class.getName(), dataDir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        Optional<ProcessHandle> postmaster = Optional.empty();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> !child.isAlive() || Files.readString(out).lines().anyMatch("ready"::equals));
            assertThat(child.isAlive()).as("child JVM output:\n%s", Files.readString(out)).isTrue();
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
            postmaster = ProcessHandle.of(pid);
            assertThat(postmaster).isPresent();
            assertThat(postmaster.get().parent().map(ProcessHandle::pid)).contains(child.pid());

            child.destroyForcibly().waitFor();

            ProcessHandle server = postmaster.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> !server.isAlive());
        } finally {
            child.destroyForcibly();
            postmaster.filter(ProcessHandle::isAlive).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The parent-death signal follows the thread that forked: a server started from a thread that ends must live on. */
    @Test
    void aServerStartedFromAThreadThatEndsKeepsRunning() throws Exception {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalPostgres server = new LocalPostgres(new LocalPostgres.Options(PostgresBinaries.locate(null), base.resolve("data"),
                false, 0, "127.0.0.1", "tester", "secret", LocalPostgres.THROWAWAY_SETTINGS, ServerAccount.resolve(null), null));
        try {
            Thread starter = new Thread(server::start, "short-lived-starter");
            starter.start();
            starter.join();
            assertThat(server.isRunning()).isTrue();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(server::isRunning);
            try (Connection c = server.connect("postgres")) {
                assertThat(c.isValid(5)).isTrue();
            }
        } finally {
            server.stop();
        }
    }

    @Test
    void theServerCommandAsksForTheParentDeathSignalOnlyWhereSupported() {
        List<String> wrapped = ServerAccount.resolve(null).wrapServer(List.of("postgres", "-D", "x"));
        assertThat(wrapped).endsWith("postgres", "-D", "x");
        if (ServerAccount.diesWithParentSupported()) {
            assertThat(wrapped).startsWith("setpriv").containsSequence("--pdeathsig", ServerAccount.DEATH_SIGNAL, "--");
        } else {
            assertThat(wrapped).doesNotContain("--pdeathsig");
        }
    }
}
