package dev.pgcorral.example.orders.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * scripts/bench-java-tests: the example's suite three ways, each in a JVM of its own ({@link TimedSuite}), one after
 * the other on this machine: lock-service (found through {@code PGCORRAL_LOCK_URL}, started by the script), databases
 * from a template made by the tests on a PostgreSQL container started here, and Testcontainers with a container per
 * test class. Prints one JSON object; progress and the runs' logs go to stderr.
 */
public final class JavaTestsBenchmark {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String IMAGE = System.getProperty("orders.benchmark.image", "pgcorral-offline/postgres:15");
    private static final String[] FAST_SETTINGS = {"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"};

    public static void main(String[] args) throws Exception {
        String lockUrl = System.getenv("PGCORRAL_LOCK_URL");
        if (lockUrl == null) {
            throw new IllegalStateException("PGCORRAL_LOCK_URL must point at the lock-service to measure");
        }
        int parallelism = Integer.parseInt(System.getProperty("orders.benchmark.parallelism", "4"));
        String password = UUID.randomUUID().toString();
        List<String> run = new ArrayList<>(List.of("docker", "run", "-d", "--rm", "-e", "POSTGRES_PASSWORD", "-p", "127.0.0.1::5432", IMAGE, "postgres"));
        run.addAll(List.of(FAST_SETTINGS));
        String container = command(run, Map.of("POSTGRES_PASSWORD", password)).strip();
        ObjectNode ways = JSON.createObjectNode();
        try {
            String port = command(List.of("docker", "port", container, "5432/tcp"), Map.of()).lines().findFirst().orElseThrow()
                    .replaceAll(".*:", "");
            String server = "jdbc:postgresql://127.0.0.1:" + port + "/";
            awaitServer(server + "postgres", password);
            List<String> common = List.of("-Djunit.jupiter.execution.parallel.config.fixed.parallelism=" + parallelism);
            ways.set("pgcorral", way("pgcorral", common, Map.of("PGCORRAL_LOCK_URL", lockUrl)));
            ways.set("template", way("template", concat(common, "-Dpgcorral.lock.spring.enabled=false",
                    "-Dorders.benchmark.way=template", "-Dorders.benchmark.server=" + server),
                    Map.of("ORDERS_BENCHMARK_PASSWORD", password)));
            ways.set("testcontainers", way("testcontainers", concat(common, "-Dpgcorral.lock.spring.enabled=false",
                    "-Dorders.benchmark.way=testcontainers", "-Dorders.benchmark.image=" + IMAGE),
                    Map.of("TESTCONTAINERS_RYUK_DISABLED", "true")));
        } finally {
            command(List.of("docker", "rm", "-f", container), Map.of());
        }
        System.out.println(report(ways, parallelism));
    }

    private static ObjectNode report(ObjectNode ways, int parallelism) {
        boolean allPassed = true;
        for (Map.Entry<String, JsonNode> way : ways.properties()) {
            ObjectNode result = (ObjectNode) way.getValue();
            int tests = result.path("tests").asInt();
            double wall = result.path("wall_s").asDouble();
            result.put("per_test_ms", round(wall * 1000 / Math.max(tests, 1)));
            result.put("per_test_overhead_ms", round((wall * parallelism - result.path("bodies_s").asDouble()) * 1000 / Math.max(tests, 1)));
            result.put("per_test_database_ms", round(result.path("database_steps_s").asDouble() * 1000 / Math.max(tests, 1)));
            allPassed &= result.path("exit_status").asInt() == 0 && result.path("failed").asInt() == 0 && tests > 0;
        }
        ObjectNode report = JSON.createObjectNode()
                .put("benchmark", "java-tests")
                .put("date", LocalDate.now().toString())
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"))
                .put("suite", "examples/orders: its test classes but ParallelIsolationTest, @SpringBootTest (with MockMvc, and a server on a random port), "
                        + "@DataJpaTest and @JdbcTest, each test method on a clean database with the application's Flyway schema")
                .put("parallelism", parallelism)
                .put("measured", "each way in a JVM of its own, one after the other: JUnit's launcher runs the suite (test "
                        + "classes in parallel, " + parallelism + " at a time, methods of a class one after the other). "
                        + "wall_s: the launcher's run (discovery to the end, JVM start left out); bodies_s: test method bodies, "
                        + "summed; per_test_ms: wall_s per test; per_test_overhead_ms: (wall_s x parallelism - bodies_s) per "
                        + "test, the thread time spent on anything but the tests' own code (Spring contexts, containers, "
                        + "databases made, cleaned, leased); per_test_database_ms: database_steps_s per test, the time "
                        + "each test method's own database step took (timed around the listener that does it, before the "
                        + "test and after: a lease and its return, CREATE and DROP DATABASE, or Flyway's clean and migrate); "
                        + "database_step_p50_ms: the median of those steps, one per test (the mean is pulled up by the few "
                        + "tests that started while contexts were still starting on the other threads); "
                        + "container_starts_s: Testcontainers' start() of each container, summed")
                .put("servers", "pgcorral: lock-service (examples/orders/lock-service.sh: 16 databases on one local "
                        + "PostgreSQL server, a template with the migrations, fsync off) started before the runs; template: one "
                        + "container of " + IMAGE + " (fsync, synchronous_commit, full_page_writes off) started before the runs, "
                        + "the tests CREATE DATABASE ... TEMPLATE a database Flyway migrated once, one per test method, and drop it "
                        + "after; testcontainers: Testcontainers' PostgreSQLContainer with " + IMAGE + " substituted for postgres "
                        + "(its default command: fsync off), one per test class with a Spring context of its own, and per test "
                        + "method Flyway's clean and migrate");
        report.set("ways", ways);
        double ours = ways.path("pgcorral").path("wall_s").asDouble();
        double oursOverhead = ways.path("pgcorral").path("per_test_overhead_ms").asDouble();
        ObjectNode ratios = report.putObject("ratios");
        for (String other : List.of("template", "testcontainers")) {
            ratios.put(other + "_wall_over_pgcorral", round(ways.path(other).path("wall_s").asDouble() / ours));
            ratios.put(other + "_overhead_over_pgcorral", round(ways.path(other).path("per_test_overhead_ms").asDouble() / oursOverhead));
            ratios.put(other + "_database_step_over_pgcorral", round(ways.path(other).path("per_test_database_ms").asDouble()
                    / ways.path("pgcorral").path("per_test_database_ms").asDouble()));
            ratios.put(other + "_database_step_p50_over_pgcorral", round(ways.path(other).path("database_step_p50_ms").asDouble()
                    / ways.path("pgcorral").path("database_step_p50_ms").asDouble()));
        }
        report.put("all_passed", allPassed);
        return report;
    }

    private static ObjectNode way(String name, List<String> properties, Map<String, String> environment) throws Exception {
        System.err.println("[bench-java-tests] " + name + " ...");
        Path log = Files.createTempFile("bench-java-tests-" + name, ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dlogging.level.root=warn"));
        command.addAll(properties);
        command.add(TimedSuite.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        int status = builder.start().waitFor();
        String last = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(line -> line.startsWith("{\"tests\""))
                .reduce((first, second) -> second).orElse(null);
        ObjectNode result = last == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(last);
        result.put("exit_status", status);
        if (status != 0) {
            result.put("log", log.toString());
        } else {
            Files.delete(log);
        }
        System.err.println("[bench-java-tests] " + name + ": " + result);
        return result;
    }

    private static void awaitServer(String url, String password) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (var connection = DriverManager.getConnection(url, "postgres", password)) {
                return;
            } catch (SQLException starting) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the PostgreSQL container did not come up: " + starting.getMessage());
                }
                Thread.sleep(200);
            }
        }
    }

    private static String command(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return out;
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
