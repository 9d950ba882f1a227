package dev.pgcorral.example.orders.benchmark;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Adds up how long each test method's database step takes: what the listeners at order 3900 do (lock-client-spring's,
 * or {@link OtherWaysListener}) before the test and after it. Two listeners around them, at 3899 and 3901; Spring calls
 * the after-methods in reverse order, so each pair brackets the step both times.
 */
public final class DatabaseStepTimer {

    /** Each test's step, before and after it together. */
    static final Queue<Long> PER_TEST_NANOS = new ConcurrentLinkedQueue<>();
    private static final ThreadLocal<Long> STARTED = new ThreadLocal<>();
    private static final ThreadLocal<Long> BEFORE_TEST = new ThreadLocal<>();

    private DatabaseStepTimer() {
    }

    private static void open() {
        STARTED.set(System.nanoTime());
    }

    private static long close() {
        Long started = STARTED.get();
        if (started == null) {
            return 0;
        }
        STARTED.remove();
        return System.nanoTime() - started;
    }

    static long totalNanos() {
        return PER_TEST_NANOS.stream().mapToLong(Long::longValue).sum();
    }

    static long medianNanos() {
        long[] sorted = PER_TEST_NANOS.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }

    /** Order 3899: opens before the test, closes after it. */
    public static final class Outer implements TestExecutionListener, Ordered {
        @Override
        public int getOrder() {
            return 3899;
        }

        @Override
        public void beforeTestMethod(TestContext testContext) {
            open();
        }

        @Override
        public void afterTestMethod(TestContext testContext) {
            Long before = BEFORE_TEST.get();
            long after = close();
            BEFORE_TEST.remove();
            PER_TEST_NANOS.add((before == null ? 0 : before) + after);
        }
    }

    /** Order 3901: closes before the test, opens after it. */
    public static final class Inner implements TestExecutionListener, Ordered {
        @Override
        public int getOrder() {
            return 3901;
        }

        @Override
        public void beforeTestMethod(TestContext testContext) {
            BEFORE_TEST.set(close());
        }

        @Override
        public void afterTestMethod(TestContext testContext) {
            open();
        }
    }
}
