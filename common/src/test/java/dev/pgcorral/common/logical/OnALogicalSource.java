package dev.pgcorral.common.logical;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Tests that share one server ready for logical replication per class; each test takes its own database. */
abstract class OnALogicalSource {

    @TempDir
    static Path base;
    static TestSource source;

    @BeforeAll
    static void startSource() throws Exception {
        source = TestSource.logical(base, Map.of());
    }

    @AfterAll
    static void stopSource() {
        source.close();
    }
}
