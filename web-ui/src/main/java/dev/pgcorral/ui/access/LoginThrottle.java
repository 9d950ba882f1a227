package dev.pgcorral.ui.access;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.springframework.stereotype.Component;

/**
 * Slows password guessing: a client address that has failed {@value #MAX_FAILURES} logins within
 * {@link #WINDOW} is refused, whatever it sends, until that window has passed. A successful login
 * clears its count. Behind a reverse proxy every client shares the proxy's address, and so its count.
 */
@Component
class LoginThrottle {

    static final int MAX_FAILURES = 10;
    static final Duration WINDOW = Duration.ofMinutes(5);
    private static final int MAX_TRACKED = 10_000;

    private record Failures(long since, int count) {
    }

    private final LongSupplier nanos;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    LoginThrottle() {
        this(System::nanoTime);
    }

    LoginThrottle(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** How long {@code client} must wait before it may try again; zero when it may now. */
    Duration wait(String client) {
        Failures f = failures.get(client);
        if (f == null) {
            return Duration.ZERO;
        }
        long left = f.since() + WINDOW.toNanos() - nanos.getAsLong();
        if (left <= 0) {
            failures.remove(client, f);
            return Duration.ZERO;
        }
        return f.count() >= MAX_FAILURES ? Duration.ofNanos(left) : Duration.ZERO;
    }

    void failed(String client) {
        long now = nanos.getAsLong();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> f.since() + WINDOW.toNanos() - now <= 0);
        }
        failures.merge(client, new Failures(now, 1), (old, one) -> old.since() + WINDOW.toNanos() - now <= 0
                ? one : new Failures(old.since(), old.count() + 1));
    }

    void succeeded(String client) {
        failures.remove(client);
    }
}
