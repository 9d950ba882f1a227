package dev.pgcorral.lock.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.BearerAuthFilter;
import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.pool.Acquisition;
import dev.pgcorral.lock.pool.Lease;
import dev.pgcorral.lock.pool.LeaseEnd;
import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.PoolClosedException;
import dev.pgcorral.lock.pool.PoolStatus;
import dev.pgcorral.lock.pool.RestartException;
import dev.pgcorral.lock.pool.WaitTimeoutException;
import tools.jackson.databind.json.JsonMapper;

/**
 * pgflock's locker protocol (v2), so pgflock's unchanged Go client works: paths, status codes, texts
 * and JSON shapes as in {@code shared/docs/pgflock-protocol.md}. What the protocol answers, not how the
 * bytes travel: the front on the public port ({@code api.front}) carries it. The lock is the open
 * connection: {@code GET /lock} answers with the connection string and a newline, keeps the response
 * open while the lease lives, and closing the connection releases it (or leaves the queue).
 * Beyond pgflock, for other clients: the password may come as {@code Authorization: Bearer}, and
 * {@code /lock} takes {@code ttl_seconds} and {@code wait_seconds}; pgflock's client sends none of them.
 */
public final class PgflockProtocol {

    private static final Set<String> PATHS = Set.of("/lock", "/unlock", "/force-unlock", "/unlock-by-marker",
            "/unlock-all", "/restart", "/health-check");
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";
    private static final SecondsParameter TTL = new SecondsParameter("ttl_seconds", 1, 86_400);
    private static final SecondsParameter WAIT = new SecondsParameter("wait_seconds", 0, 3_600);

    private static final Logger log = LoggerFactory.getLogger(PgflockProtocol.class);

    private final Pool pool;
    private final LockProperties properties;
    private final JsonMapper json;
    private final byte[] password;

    public PgflockProtocol(Pool pool, LockProperties properties, JsonMapper json) {
        this.pool = pool;
        this.properties = properties;
        this.json = json;
        this.password = properties.password().getBytes(StandardCharsets.UTF_8);
    }

    /** A complete answer; every answer ends its connection. */
    public record Reply(int status, String contentType, String body) {
        public static Reply text(int status, String message) {
            return new Reply(status, TEXT, message + "\n");
        }
    }

    /** Whether {@code path} (without its query) is one of pgflock's endpoints. */
    public static boolean serves(String path) {
        return PATHS.contains(path);
    }

    /**
     * The answer a request gets from its head alone when it may not go on: 401 before 405, as pgflock
     * checks, then 400 for a bad parameter; null when it may (always for {@code /health-check}).
     *
     * @param params        the decoded query; empty when it could not be decoded
     * @param authorization the {@code Authorization} header; null without one
     */
    public Reply refusal(String method, String path, Map<String, String> params, String authorization) {
        if (path.equals("/health-check")) {
            return null;
        }
        String marker = params.get("marker");
        if (marker == null || marker.isEmpty() || !authenticated(params, authorization)) {
            return Reply.text(401, "Invalid marker or password");
        }
        if (!method.equals(path.equals("/lock") ? "GET" : "POST")) {
            return Reply.text(405, "Method not allowed");
        }
        if (marker.length() > Lease.MAX_MARKER_LENGTH) {
            return Reply.text(400, "Marker too long: at most " + Lease.MAX_MARKER_LENGTH + " characters");
        }
        if (path.equals("/lock")) {
            for (SecondsParameter parameter : List.of(TTL, WAIT)) {
                if (!parameter.validIn(params)) {
                    return Reply.text(400, parameter.rule());
                }
            }
        }
        return null;
    }

    /** The query's {@code password} when it has one, else the {@code Bearer} secret, compared in constant time. */
    private boolean authenticated(Map<String, String> params, String authorization) {
        String presented = params.containsKey("password") ? params.get("password") : bearer(authorization);
        return BearerAuthFilter.matches(presented, password);
    }

    /** The secret of an {@code Authorization: Bearer <secret>} header; null for another header or none. */
    private static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
    }

    /** Whether the endpoint reads the request body (a connection string). */
    public boolean readsBody(String path) {
        return path.equals("/unlock") || path.equals("/force-unlock");
    }

    /**
     * Queues for a database ({@code GET /lock}), once {@link #refusal} let the request on: for
     * {@code ttl_seconds} or the auto-unlock time, waiting {@code wait_seconds} (0: not at all) or the
     * configured lock wait. The caller holds the connection and abandons the request when it closes.
     */
    public Acquisition lock(Map<String, String> params) {
        String marker = params.get("marker");
        Duration ttl = TTL.in(params).orElse(properties.autoUnlock());
        return WAIT.in(params)
                .map(wait -> wait.isZero() ? pool.acquireIfFree(marker, ttl) : pool.acquire(marker, ttl, wait))
                .orElseGet(() -> pool.acquire(marker, ttl, properties.lockWaitTimeout()));
    }

    /** The headers of a granted lock's response, besides the content type; its body is {@link #lockLine}. */
    public Map<String, String> lockHeaders(Lease lease) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-PGFlock-Version", "2");
        headers.put("X-Lease-Id", lease.id());
        headers.put("X-Lease-Expires", lease.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString());
        return headers;
    }

    public String lockLine(Lease lease) {
        return lease.connection().postgresUrl() + "\n";
    }

    /** The answer to a lock request that was not granted; null when it was abandoned (nobody to tell). */
    public Reply lockFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CancellationException) {
            return null;
        }
        if (cause instanceof WaitTimeoutException || cause instanceof PoolClosedException) {
            return Reply.text(503, cause.getMessage());
        }
        return Reply.text(500, "Failed to reset database: " + cause.getMessage());
    }

    /**
     * Answers every endpoint but {@code /lock}, once {@link #refusal} let the request on. May block for
     * as long as a restart takes: call it off an event loop.
     */
    public Reply answer(String path, Map<String, String> params, String body) {
        return switch (path) {
            case "/health-check" -> new Reply(200, JSON, json.writeValueAsString(health()));
            case "/unlock" -> unlock(body, false);
            case "/force-unlock" -> unlock(body, true);
            case "/unlock-by-marker" -> {
                String target = params.get("target");
                yield target == null || target.isEmpty() ? Reply.text(400, "target query parameter required")
                        : Reply.text(200, "Unlocked " + pool.releaseByMarker(target) + " databases");
            }
            case "/unlock-all" -> new Reply(200, JSON, json.writeValueAsString(ordered("status", "ok", "unlocked", pool.releaseAll())));
            case "/restart" -> restart();
            default -> Reply.text(404, "Not found");
        };
    }

    private Reply unlock(String body, boolean force) {
        if (body == null || body.isBlank()) {
            return Reply.text(400, "Connection string required in request body");
        }
        ConnectionDetails details;
        try {
            details = ConnectionDetails.parse(body.strip());
        } catch (IllegalArgumentException e) {
            return Reply.text(400, "Database connection does not exist");
        }
        return switch (pool.releaseDatabase(details.port(), details.database(), force ? LeaseEnd.FORCE_RELEASED : LeaseEnd.RELEASED)) {
            case NO_SUCH_DATABASE -> Reply.text(400, "Database connection does not exist");
            case NOT_LOCKED -> force ? Reply.text(200, "Database was not locked") : Reply.text(400, "Database is not currently locked");
            case RELEASED -> Reply.text(200, force ? "Database force unlocked" : "Database unlocked successfully");
        };
    }

    private Reply restart() {
        try {
            pool.restart();
            return new Reply(200, JSON, json.writeValueAsString(ordered("status", "ok", "message", "Restart completed successfully")));
        } catch (RestartException e) {
            if (e.inProgress()) {
                return Reply.text(409, "Restart already in progress");
            }
            log.warn("restart failed: {}", e.getMessage());
            return Reply.text(500, "Restart failed: " + e.getMessage());
        }
    }

    /** pgflock's health-check document, plus counts pgflock does not have; one snapshot, passwords redacted. */
    Map<String, Object> health() {
        PoolStatus status = pool.status();
        List<Map<String, Object>> locks = status.databases().stream()
                .filter(db -> db.lockedAt() != null)
                .sorted(Comparator.comparing(PoolStatus.Database::lockedAt))
                .map(db -> {
                    Map<String, Object> lock = new LinkedHashMap<>();
                    lock.put("conn_string", db.connection());
                    lock.put("marker", db.marker());
                    lock.put("locked_at", db.lockedAt().truncatedTo(ChronoUnit.SECONDS).toString());
                    lock.put("duration_seconds", db.heldSeconds());
                    return lock;
                }).toList();
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", status.status());
        health.put("total", status.counts().total());
        health.put("locked", status.counts().locked());
        health.put("free", status.counts().free());
        health.put("waiting", status.counts().waiting());
        health.put("resetting", status.counts().resetting());
        health.put("quarantined", status.counts().quarantined());
        health.put("auto_unlock_minutes", properties.autoUnlockMinutes());
        health.put("template_hash", status.templateHash());
        health.put("pending_template", status.pendingTemplate());
        health.put("locks", locks);
        return health;
    }

    /** An optional query parameter of {@code /lock}: a whole number of seconds within a range. */
    private record SecondsParameter(String name, int min, int max) {

        /** Whether the parameter is absent, or a whole number in range. */
        boolean validIn(Map<String, String> params) {
            String text = params.get(name);
            return text == null || seconds(text).isPresent();
        }

        /** The duration asked for; empty when the parameter is absent. Only for parameters {@link #validIn}. */
        Optional<Duration> in(Map<String, String> params) {
            return Optional.ofNullable(params.get(name)).map(text -> Duration.ofSeconds(seconds(text).orElseThrow()));
        }

        String rule() {
            return name + " must be a whole number from " + min + " to " + max;
        }

        private OptionalInt seconds(String text) {
            if (!text.matches("\\d{1,9}")) {
                return OptionalInt.empty();
            }
            int value = Integer.parseInt(text);
            return value >= min && value <= max ? OptionalInt.of(value) : OptionalInt.empty();
        }
    }

    /** A JSON object whose keys keep the given order, as pgflock writes them. */
    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
