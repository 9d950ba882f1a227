package dev.pgcorral.example.orders.benchmark;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Adds up how long test method bodies take, nothing around them. Registered through {@code META-INF/services}, active
 * only where JUnit's extension autodetection is on ({@link TimedSuite} turns it on).
 */
public final class BodyTimer implements InvocationInterceptor {

    static final AtomicLong BODIES_NANOS = new AtomicLong();

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        long start = System.nanoTime();
        try {
            invocation.proceed();
        } finally {
            BODIES_NANOS.addAndGet(System.nanoTime() - start);
        }
    }
}
