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
            Channel server = channel.parent();
            if (waiting.size() >= cap && oldestAge < GRACE_NANOS && pausedServer == null && server != null) {
                pausedServer = server;
                server.config().setAutoRead(false);
                server.eventLoop().schedule(this::resume, GRACE_NANOS - oldestAge, TimeUnit.NANOSECONDS);
            }
        }
        if (evicted != null) {
            evicted.pipeline().fireUserEventTriggered(EVICTED);
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
    private synchronized void resume() {
        if (pausedServer != null) {
            pausedServer.config().setAutoRead(true);
            pausedServer = null;
        }
    }
}
