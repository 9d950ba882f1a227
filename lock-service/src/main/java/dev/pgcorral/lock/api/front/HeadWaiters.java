package dev.pgcorral.lock.api.front;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

import io.netty.channel.Channel;

/**
 * Connections that have not yet sent a complete request head, so are not yet authenticated: at most
 * {@code cap} at once, apart from held locks and other requests under way. When full, a new
 * connection takes the place of the one that has waited longest (which is told 503 and closed).
 * Refusing the new one instead would let anyone who opens cap connections per head deadline lock
 * every new client out, health checks included; a client that sends its head promptly is never the
 * oldest for long.
 */
final class HeadWaiters {

    /** Fired on an evicted connection's pipeline. */
    static final Object EVICTED = new Object() {
        @Override
        public String toString() {
            return "EVICTED";
        }
    };

    private final int cap;
    private final Set<Channel> waiting = new LinkedHashSet<>();

    HeadWaiters(int cap) {
        this.cap = cap;
    }

    /** Counts {@code channel} as waiting for its head; may evict the oldest waiting connection. */
    void admit(Channel channel) {
        Channel evicted = null;
        synchronized (this) {
            if (waiting.size() >= cap) {
                Iterator<Channel> oldest = waiting.iterator();
                evicted = oldest.next();
                oldest.remove();
            }
            waiting.add(channel);
        }
        if (evicted != null) {
            evicted.pipeline().fireUserEventTriggered(EVICTED);
        }
    }

    /** The head arrived, or the connection closed. */
    synchronized void leave(Channel channel) {
        waiting.remove(channel);
    }
}
