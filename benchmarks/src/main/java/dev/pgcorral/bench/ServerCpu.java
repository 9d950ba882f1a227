package dev.pgcorral.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a local PostgreSQL server has used so far: its postmaster, the processes running under it and
 * those that have exited (the postmaster's children's time), read from {@code /proc}. The difference over
 * a drain says how much of it the server spent (decoding in the WAL sender, storing in a backend), next to
 * the client's own CPU. NaN where {@code /proc} cannot be read.
 */
final class ServerCpu {

    /** Clock ticks per second in /proc/[pid]/stat: 100 on Linux. */
    private static final double TICKS = 100.0;

    private final long postmaster;

    ServerCpu(Path dataDir) throws IOException {
        this.postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0).strip());
    }

    double seconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(postmaster), "stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the name: state(3) ... utime(14) stime(15) cutime(16) cstime(17), counted from 1 with pid and name
            double total = (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14])) / TICKS;
            return total + ProcessHandle.of(postmaster).map(p -> p.children()
                    .mapToDouble(child -> child.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum())
                    .orElse(Double.NaN);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
