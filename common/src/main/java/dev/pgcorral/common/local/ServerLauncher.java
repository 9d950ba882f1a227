package dev.pgcorral.common.local;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts server processes from one thread that lives as long as the JVM. A parent-death signal
 * ({@code PR_SET_PDEATHSIG}) fires when the thread that forked the process ends, not the process:
 * started from a pool thread that later retires, a server would be killed with the JVM still running.
 */
final class ServerLauncher {

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pgcorral-server-launcher");
        t.setDaemon(true);
        return t;
    });

    private ServerLauncher() {
    }

    /** {@code builder.start()}, on the launcher thread. */
    static Process start(ProcessBuilder builder) throws IOException {
        try {
            // submit, not execute: a failure comes back in the Future and the thread stays
            return THREAD.submit(builder::start).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command().get(0), e);
        }
    }
}
