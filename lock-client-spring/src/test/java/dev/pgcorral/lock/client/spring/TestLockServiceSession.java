package dev.pgcorral.lock.client.spring;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import dev.pgcorral.lock.client.LockServiceUnderTestAccess;

/**
 * Starts the test lock-service and points lock-client at it before JUnit discovers a test class: Spring asks for the
 * settings while it bootstraps a test class, before the class itself is initialized. Registered in
 * {@code META-INF/services}.
 */
public final class TestLockServiceSession implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            LockServiceUnderTestAccess.useFromEnvironment();
        } catch (Exception e) {
            throw new IllegalStateException("the test lock-service did not start: " + e.getMessage(), e);
        }
    }
}
