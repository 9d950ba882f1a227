package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.number;

import java.util.List;
import java.util.Map;

/**
 * The pgbench workload a logical replication benchmark runs in each round, from its options
 * ({@code --clients --duration --scale --rounds --warmup}), and how it stands in the JSON.
 *
 * @param warmupSeconds 0: no warm-up
 */
record Workload(int clients, int durationSeconds, int scale, int rounds, int warmupSeconds) {

    static Workload parse(Map<String, String> args, int defaultDuration, int defaultScale) {
        return new Workload(number(args, "clients", 4, 1), number(args, "duration", defaultDuration, 1),
                number(args, "scale", defaultScale, 1), number(args, "rounds", 3, 1), number(args, "warmup", 5, 0));
    }

    /** pgbench's options for {@code seconds} of TPC-B-like transactions by the clients. */
    List<String> pgbench(int seconds) {
        return List.of("-c", Integer.toString(clients), "-T", Integer.toString(seconds));
    }

    /** Puts the machine (PostgreSQL version, cores, JVM) and the workload into {@code result}. */
    void describe(Map<String, Object> result, String postgresVersion) {
        result.put("postgres_version", postgresVersion);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        result.put("clients", clients);
        result.put("duration_s", durationSeconds);
        result.put("scale", scale);
        result.put("rounds", rounds);
        result.put("warmup_s", warmupSeconds);
    }
}
