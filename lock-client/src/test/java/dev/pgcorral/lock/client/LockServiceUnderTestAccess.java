package dev.pgcorral.lock.client;

/** For tests in other packages: the shared lock-service, made the one {@link LockClient#fromEnvironment()} finds. */
public final class LockServiceUnderTestAccess {

    private LockServiceUnderTestAccess() {
    }

    /** Starts it if needed, points this JVM's system properties at it, and returns a client of it. */
    public static LockClient useFromEnvironment() throws Exception {
        LockServiceUnderTest service = LockServiceUnderTest.shared();
        service.useFromEnvironment();
        return service.client();
    }

    public static int freePort() throws java.io.IOException {
        return LockServiceUnderTest.freePort();
    }
}
