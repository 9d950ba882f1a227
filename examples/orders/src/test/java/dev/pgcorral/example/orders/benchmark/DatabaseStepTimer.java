package dev.pgcorral.example.orders.benchmark;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Adds up how long each test method's database step takes: what the listeners at order 3900 do (lock-client-spring's,
 * or {@link OtherWaysListener}) before the test and after it. Two listeners around them, at 3899 and 3901; Spring calls
 * the after-methods in reverse order, so each pair brackets the step both times.
 */
public final class DatabaseStepTimer {

    static final AtomicLong STEPS_NANOS = new AtomicLong();
    private static final ThreadLocal<Long> STARTED = new ThreadLocal<>();

    private DatabaseStepTimer() {
    }

    private static void open() {
        STARTED.set(System.nanoTime());
    }

    private static void close() {
        Long started = STARTED.get();
        if (started != null) {
            STEPS_NANOS.addAndGet(System.nanoTime() - started);
            STARTED.remove();
        }
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
            close();
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
            close();
        }

        @Override
        public void afterTestMethod(TestContext testContext) {
            open();
        }
    }
}
