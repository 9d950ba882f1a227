package dev.pgcorral.lock.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The Docker engine's request-and-answer calls, each given up after a time. docker-java's response timeout does not
 * reach its Unix-socket transport, whose reads block until the engine answers: an engine that took a request and never
 * answers it (one restarting, say) would hold the caller for good, and with it an instance's start-up. A call past its
 * time fails here with a message naming it; its thread is left to end when the engine answers or the connection closes
 * ({@link #MAX_CALLS} such threads at most).
 */
final class EngineCalls implements AutoCloseable {

    /** Calls at once, at most: past them (each waiting on a silent engine), a call fails at once instead of adding a thread. */
    static final int MAX_CALLS = 32;

    private final Duration limit;
    private final ExecutorService threads = new ThreadPoolExecutor(0, MAX_CALLS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "pgcorral-docker-call");
        t.setDaemon(true);
        return t;
    });

    EngineCalls(Duration limit) {
        this.limit = limit;
    }

    /** The answer of {@code call} ({@code what}: the call in words, for the error); its own exceptions pass as they are. */
    <T> T answer(String what, Supplier<T> call) {
        Future<T> pending;
        try {
            pending = threads.submit(call::get);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the Docker engine did not answer (" + what + "): " + MAX_CALLS + " calls to it are "
                    + "still waiting for an answer", e);
        }
        try {
            return pending.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IllegalStateException("the Docker engine did not answer (" + what + ") within " + limit.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Docker engine (" + what + ")", e);
        }
    }

    /** {@link #answer} for a call that returns nothing. */
    void run(String what, Runnable call) {
        answer(what, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
