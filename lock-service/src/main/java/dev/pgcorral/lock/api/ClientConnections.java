package dev.pgcorral.lock.api;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client connections the front has passed on to the servlet container, by an id the front puts in
 * {@value #HEADER} (a client cannot send its own: the front replaces it). The servlet container does
 * not see a client leave while a request waits; the front does, and runs what a controller registered
 * for that connection, e.g. leaving the queue.
 */
public final class ClientConnections {

    public static final String HEADER = "X-Pgcorral-Connection";

    /** What {@link #onClose} returns: cancel once the callback is no longer wanted (e.g. the answer was sent). */
    @FunctionalInterface
    public interface Registration {
        Registration NONE = () -> { };

        void cancel();
    }

    private static final Logger log = LoggerFactory.getLogger(ClientConnections.class);

    private final Map<String, Set<Runnable>> open = new ConcurrentHashMap<>();

    /** A new connection passed on; returns its id. */
    public String opened() {
        String id = UUID.randomUUID().toString();
        open.put(id, ConcurrentHashMap.newKeySet());
        return id;
    }

    /** The client closed connection {@code id} (or it was closed): runs its callbacks. */
    public void closed(String id) {
        Set<Runnable> callbacks = open.remove(id);
        if (callbacks == null) {
            return;
        }
        for (Runnable callback : callbacks) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                log.warn("a callback for a closed client connection failed: {}", e.toString());
            }
        }
    }

    /**
     * Runs {@code callback} when connection {@code id} closes; at once when it has closed already.
     * Nothing when {@code id} is null (a request that did not come through the front).
     */
    public Registration onClose(String id, Runnable callback) {
        if (id == null) {
            return Registration.NONE;
        }
        Runnable own = callback::run;
        if (open.computeIfPresent(id, (key, callbacks) -> {
            callbacks.add(own);
            return callbacks;
        }) == null) {
            callback.run();
            return Registration.NONE;
        }
        return () -> {
            Set<Runnable> callbacks = open.get(id);
            if (callbacks != null) {
                callbacks.remove(own);
            }
        };
    }
}
