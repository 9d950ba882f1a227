package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoriesTest {

    @TempDir
    Path base;

    @Test
    void twoRunsInOneJvmGetTheirOwnFolderAndKeepIt() throws Exception {
        Path first = DataDirectories.forRun("lock", base);
        Files.writeString(first.resolve("marker"), "first");
        Path second = DataDirectories.forRun("lock", base);
        assertThat(second).isNotEqualTo(first);
        assertThat(first.resolve("marker")).hasContent("first");
        DataDirectories.release(first);
        assertThat(first).doesNotExist();
        assertThat(second).exists();
    }

    @Test
    void foldersOfGoneJvmsAreRemovedAndOthersKept() throws Exception {
        Path gone = Files.createDirectories(base.resolve("lock-2147483646-1/instance-1"));
        Path alive = Files.createDirectories(base.resolve("lock-" + ProcessHandle.current().pid() + "-999"));
        Path foreign = Files.createDirectories(base.resolve("lock-notes"));
        DataDirectories.forRun("lock", base);
        assertThat(gone.getParent()).doesNotExist();
        assertThat(alive).exists();
        assertThat(foreign).exists();
    }

    @Test
    void aPidFileNamingAnotherProcessKillsNothing() throws Exception {
        Path dataDir = Files.createDirectories(base.resolve("lock-2147483646-1/instance-1"));
        // an unrelated process, even one sitting in the data directory, is not the postmaster
        Process sleeper = new ProcessBuilder("sleep", "300").directory(dataDir.toFile()).start();
        try {
            Files.writeString(dataDir.resolve("postmaster.pid"), sleeper.pid() + "\n" + dataDir + "\n");
            assertThat(DataDirectories.isPostmasterOf(sleeper.pid(), dataDir)).isFalse();
            DataDirectories.forRun("lock", base);
            assertThat(dataDir.getParent()).doesNotExist();
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void theOrphanedPostmasterOfADeadRunIsStopped() throws Exception {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectories(base.resolve("lock-2147483646-1"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dataDir = run.resolve("instance-1");
        LocalPostgres server = new LocalPostgres(new LocalPostgres.Options(PostgresBinaries.locate(null), dataDir, false, 0,
                "127.0.0.1", "tester", "secret", LocalPostgres.THROWAWAY_SETTINGS, ServerAccount.resolve(null), null));
        server.start();
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
            assertThat(DataDirectories.isPostmasterOf(pid, dataDir)).isTrue();
            assertThat(DataDirectories.isPostmasterOf(pid, base)).isFalse();

            DataDirectories.forRun("lock", base);

            await().atMost(Duration.ofSeconds(30)).until(() -> !server.isRunning());
            assertThat(run).doesNotExist();
        } finally {
            server.stop();
        }
    }
}
