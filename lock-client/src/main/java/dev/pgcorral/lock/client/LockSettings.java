package dev.pgcorral.lock.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Where lock-service is, its password, and how long a lock may wait for a free database. From system properties
 * ({@code pgcorral.lock.url}, {@code pgcorral.lock.password}, {@code pgcorral.lock.wait-seconds}), else the
 * environment ({@code PGCORRAL_LOCK_URL}, {@code PGCORRAL_LOCK_PASSWORD}, {@code PGCORRAL_LOCK_WAIT_SECONDS}), else
 * the defaults of a local lock-service: {@code http://localhost:9191}, {@code pgflock}, 300 s.
 *
 * @param url      lock-service's base URL (its public port)
 * @param password lock-service's {@code pgcorral.lock.password}
 * @param lockWait how long {@link LockClient#lock(String)} queues for a database before it gives up
 */
public record LockSettings(URI url, String password, Duration lockWait) {

    public static final String DEFAULT_URL = "http://localhost:9191";
    public static final String DEFAULT_PASSWORD = "pgflock";
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

    public LockSettings {
        if (url == null || url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("lock-service's URL must be http://host:port or https://host:port, not " + url);
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("lock-service's password must not be empty");
        }
        if (lockWait == null || lockWait.isNegative() || lockWait.toSeconds() > 3600) {
            throw new IllegalArgumentException("the wait for a database must be from 0 to 3600 s, not " + lockWait);
        }
    }

    /** The settings from this JVM's system properties and environment, with the defaults for the rest. */
    public static LockSettings fromEnvironment() {
        return from(System::getProperty, System.getenv());
    }

    static LockSettings from(Function<String, String> properties, Map<String, String> environment) {
        String url = pick(properties.apply("pgcorral.lock.url"), environment.get("PGCORRAL_LOCK_URL"), DEFAULT_URL);
        String password = pick(properties.apply("pgcorral.lock.password"), environment.get("PGCORRAL_LOCK_PASSWORD"), DEFAULT_PASSWORD);
        String wait = pick(properties.apply("pgcorral.lock.wait-seconds"), environment.get("PGCORRAL_LOCK_WAIT_SECONDS"), null);
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PGCORRAL_LOCK_URL (or pgcorral.lock.url) is not a URL: " + url);
        }
        return new LockSettings(uri, password, wait == null ? DEFAULT_WAIT : seconds(wait));
    }

    private static Duration seconds(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PGCORRAL_LOCK_WAIT_SECONDS (or pgcorral.lock.wait-seconds) must be a whole number of "
                    + "seconds, not " + value);
        }
    }

    private static String pick(String property, String environment, String fallback) {
        if (property != null && !property.isBlank()) {
            return property;
        }
        return environment != null && !environment.isBlank() ? environment : fallback;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "LockSettings[url=" + url + ", lockWait=" + lockWait + "]";
    }
}
