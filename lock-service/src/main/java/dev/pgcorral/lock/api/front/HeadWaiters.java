package dev.pgcorral.lock.api.front;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;

/**
 * Connections that have not yet sent a complete request head, so are not yet authenticated: at most
 * {@code cap} at once (held locks and requests under way do not count). Beyond the cap, new
 * connections wait in the kernel's accept queue: a burst of clients whose heads are on their way is
 * served as the heads arrive. A connection that has waited longer than {@link #GRACE_NANOS} gives its
 * place to a new one (it is told 503 and closed), so connections that send nothing, or trickle, cannot
 * keep health checks and new locks out for longer than that.
 */
final class HeadWaiters {

    /** Fired on an evicted connection's pipeline. */
    static final Object EVICTED = new Object() {
        @Override
        public String toString() {
            return "EVICTED";
        }
    };

    /** How long a connection may send its head before a newer one may take its place when the cap is full. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int cap;
    /** Insertion-ordered: the first has waited longest. */
    private final Map<Channel, Long> waiting = new LinkedHashMap<>();
    private Channel pausedServer;

    HeadWaiters(int cap) {
        this.cap = cap;
    }

    /** Counts a newly accepted {@code channel} as waiting for its head. */
    void admit(Channel channel) {
        Channel evicted = null;
        long resumeInNanos = -1;
        synchronized (this) {
            long now = System.nanoTime();
            if (waiting.size() >= cap) {
                Iterator<Map.Entry<Channel, Long>> oldest = waiting.entrySet().iterator();
                Map.Entry<Channel, Long> first = oldest.next();
                if (now - first.getValue() >= GRACE_NANOS) {
                    evicted = first.getKey();
                    oldest.remove();
                }
            }
            waiting.put(channel, now);
            long oldestAge = now - waiting.values().iterator().next();
            if (waiting.size() >= cap && oldestAge < GRACE_NANOS && pausedServer == null && channel.parent() != null) {
                pausedServer = channel.parent();
                resumeInNanos = GRACE_NANOS - oldestAge;
            }
        }
        if (evicted != null) {
            evicted.pipeline().fireUserEventTriggered(EVICTED);
        }
        if (resumeInNanos >= 0) {
            Channel server = channel.parent();
            applyAccepting(server);
            server.eventLoop().schedule(this::resume, resumeInNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The head arrived, or the connection closed. */
    void leave(Channel channel) {
        synchronized (this) {
            if (waiting.remove(channel) == null || waiting.size() >= cap) {
                return;
            }
        }
        resume();
    }

    /** Accepts again: there is room, or the oldest waiting connection may now be replaced. */
    private void resume() {
        Channel server;
        synchronized (this) {
            server = pausedServer;
            pausedServer = null;
        }
        if (server != null) {
            applyAccepting(server);
        }
    }

    /**
     * Sets whether the server accepts, on its own event loop: there the changes take effect in the
     * order they are made, whichever thread decided them; each applies the state current by then.
     */
    private void applyAccepting(Channel server) {
        server.eventLoop().execute(() -> {
            boolean accepting;
            synchronized (this) {
                accepting = pausedServer == null;
            }
            server.config().setAutoRead(accepting);
        });
    }
}
