package dev.pgcorral.example.orders.benchmark;

import static org.junit.platform.engine.discovery.ClassNameFilter.excludeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the example's suite once, in this JVM, the way {@code orders.benchmark.way} says (none: lock-service through
 * {@code @AutoConfigurePgcorralDatabase}), with the parallelism of {@code junit-platform.properties}, and prints one
 * JSON line: tests, failures, the wall time of the run, the time spent in test method bodies, in each test's database
 * step (before and after it) and in starting containers.
 * {@code ParallelIsolationTest} is left out: it checks lock-client-spring's per-thread databases, which a container
 * per class cannot give to test methods running at once.
 */
public final class TimedSuite {

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.pgcorral.example.orders"))
                .filters(excludeClassNamePatterns(".*\\.benchmark\\..*", ".*\\.ParallelIsolationTest"))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long start = System.nanoTime();
        launcher.execute(request, listener);
        double wall = (System.nanoTime() - start) / 1e9;
        TestExecutionSummary summary = listener.getSummary();
        ObjectNode result = JsonMapper.shared().createObjectNode()
                .put("tests", summary.getTestsFoundCount())
                .put("passed", summary.getTestsSucceededCount())
                .put("failed", summary.getTotalFailureCount())
                .put("wall_s", Math.round(wall * 1000) / 1000.0)
                .put("bodies_s", seconds(BodyTimer.BODIES_NANOS.get()))
                .put("database_steps_s", seconds(DatabaseStepTimer.totalNanos()))
                .put("database_step_p50_ms", Math.round(DatabaseStepTimer.medianNanos() / 1e5) / 10.0)
                .put("containers_started", ContainerPerClass.STARTS.get())
                .put("container_starts_s", seconds(ContainerPerClass.STARTS_NANOS.get()));
        summary.getFailures().stream().findFirst().ifPresent(failure -> result.put("first_failure",
                failure.getTestIdentifier().getDisplayName() + ": " + failure.getException()));
        System.out.println(result);
        System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }
}
