package dev.pgcorral.lock.client.jdbc;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import dev.pgcorral.lock.client.LockClient;
import dev.pgcorral.lock.client.LockSettings;

/**
 * A {@code jdbc:pgcorral://host:port/name[?wait_seconds=N&ttl_seconds=N&keep=true]} URL: lock-service at host:port,
 * {@code name} the lease's marker (all connections to one URL share its database), how long to queue for a database
 * (default: the settings' wait), how long lock-service lets the lease live (default 1 hour), and whether
 * the database stays this JVM's until it exits ({@code keep=true}) instead of going back when the last connection
 * closes. The password comes from {@code PGCORRAL_LOCK_PASSWORD} (or {@code -Dpgcorral.lock.password}), never the URL.
 */
record PgcorralUrl(String url, URI lockService, String marker, Duration lockWait, Duration ttl, boolean keep) {

    static final String PREFIX = "jdbc:pgcorral:";
    private static final Set<String> PARAMETERS = Set.of("wait_seconds", "ttl_seconds", "keep");

    static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    static PgcorralUrl parse(String url, LockSettings defaults) throws SQLException {
        URI uri;
        try {
            uri = URI.create(url.substring("jdbc:".length()));
        } catch (IllegalArgumentException e) {
            throw invalid(url, e.getMessage());
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw invalid(url, "it needs lock-service's host and port");
        }
        String name = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (name.isEmpty() || name.length() > LockClient.MAX_MARKER_LENGTH) {
            throw invalid(url, "it needs a name after the port (the lease's marker, 1 to " + LockClient.MAX_MARKER_LENGTH + " characters)");
        }
        Map<String, String> query = query(url, uri.getRawQuery());
        return new PgcorralUrl(url, URI.create("http://" + uri.getHost() + ":" + uri.getPort()), name,
                seconds(url, query, "wait_seconds", 0, 3600, defaults.lockWait()), seconds(url, query, "ttl_seconds", 1, 86_400, LockClient.LONG_LIVED),
                flag(url, query, "keep"));
    }

    private static Map<String, String> query(String url, String raw) throws SQLException {
        Map<String, String> query = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            String[] parts = pair.split("=", 2);
            String key = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            if (!PARAMETERS.contains(key)) {
                throw invalid(url, "unknown parameter " + key + " (known: wait_seconds, ttl_seconds, keep; the password comes from "
                        + "PGCORRAL_LOCK_PASSWORD)");
            }
            query.put(key, parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return query;
    }

    private static Duration seconds(String url, Map<String, String> query, String name, int min, int max, Duration fallback)
            throws SQLException {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long seconds = Long.parseLong(value);
            if (seconds >= min && seconds <= max) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw invalid(url, name + " must be a whole number from " + min + " to " + max);
    }

    private static boolean flag(String url, Map<String, String> query, String name) throws SQLException {
        String value = query.getOrDefault(name, "false");
        if (!value.equals("true") && !value.equals("false")) {
            throw invalid(url, name + " must be true or false");
        }
        return value.equals("true");
    }

    private static SQLException invalid(String url, String why) {
        return new SQLException("not a usable pgcorral URL (" + why + "): " + url
                + "; the form is jdbc:pgcorral://host:port/name[?wait_seconds=N&ttl_seconds=N&keep=true]", "08001");
    }
}
