package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
