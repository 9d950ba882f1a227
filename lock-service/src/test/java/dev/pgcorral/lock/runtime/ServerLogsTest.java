package dev.pgcorral.lock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

/** Which log lines {@link ServerLogs} shows, over a log given as text (as PostgreSQL 15 writes it). */
class ServerLogsTest {

    private static final String START = "2026-11-25 10:00:00.000 UTC [42] LOG:  checkpoint starting: time";
    private static final String DONE = "2026-11-25 10:00:04.100 UTC [42] LOG:  checkpoint complete: wrote 3 buffers (0.0%);"
            + " 0 WAL file(s) added, 0 removed, 0 recycled; write=0.101 s, sync=0.002 s, total=0.110 s";

    @Test
    void routineCheckpointLinesAreLeftOutUnlessAsked() {
        List<String> log = List.of(
                "2026-11-25 09:59:00.000 UTC [40] LOG:  database system is ready to accept connections",
                START, DONE,
                "2026-11-25 10:01:00.000 UTC [77] ERROR:  relation \"nope\" does not exist at character 15",
                "2026-11-25 10:01:00.000 UTC [77] STATEMENT:  SELECT * FROM nope",
                START, DONE);
        IntFunction<String> source = tailOf(log);

        assertThat(ServerLogs.tail(source, 100, false).lines()).containsExactly(log.get(0), log.get(3), log.get(4));
        assertThat(ServerLogs.tail(source, 2, false).lines()).containsExactly(log.get(3), log.get(4));
        assertThat(ServerLogs.tail(source, 100, true).lines()).containsExactlyElementsOf(log);
        assertThat(ServerLogs.tail(source, 2, true).lines()).containsExactly(START, DONE);
    }

    @Test
    void readsFurtherBackToFillTheRequestedLinesPastManyCheckpoints() {
        List<String> log = new ArrayList<>();
        log.add("the line asked for");
        for (int i = 0; i < 500; i++) {
            log.add(START);
            log.add(DONE);
        }
        assertThat(ServerLogs.tail(tailOf(log), 1, false)).isEqualTo("the line asked for");
        assertThat(ServerLogs.tail(tailOf(List.of(START, DONE)), 10, false)).isEmpty();
    }

    @Test
    void onlyCheckpointLogLinesAreRoutine() {
        assertThat(ServerLogs.isRoutine(START)).isTrue();
        assertThat(ServerLogs.isRoutine(DONE)).isTrue();
        assertThat(ServerLogs.isRoutine("2026-11-25 10:01:00.000 UTC [77] ERROR:  checkpoint request failed")).isFalse();
        assertThat(ServerLogs.isRoutine("2026-11-25 10:01:00.000 UTC [77] STATEMENT:  SELECT 'LOG:  checkpoint starting: x'"))
                .as("a statement that merely quotes it").isFalse();
    }

    /** The last n lines of {@code log}, as a runtime returns them. */
    private static IntFunction<String> tailOf(List<String> log) {
        return n -> String.join("\n", log.subList(Math.max(0, log.size() - n), log.size()));
    }
}
