package dev.pgcorral.migration;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test that runs migration-service in a JVM of its own ({@link ServiceProcess}, to kill it) on a throwaway server
 * ({@link TestServer}); both are stopped after each test, the service first.
 */
abstract class ServiceProcessTest {

    @TempDir
    protected Path dir;

    protected TestServer server;
    protected ServiceProcess service;

    @AfterEach
    void stopServiceAndServer() throws InterruptedException {
        if (service != null) {
            service.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
