package dev.pgcorral.lock.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * and JSON shapes as in {@code shared/docs/pgflock-protocol.md}. The lock is the open connection:
 * {@code GET /lock} answers with the connection string and a newline, keeps the response open while
 * the lease lives, and closing the connection releases it (or leaves the queue).
 */
public final class PgflockProtocol {

    static final Set<String> PATHS = Set.of("/lock", "/unlock", "/force-unlock", "/unlock-by-marker", "/unlock-all",
            "/restart", "/health-check");

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

    void handle(RawExchange exchange) throws IOException, RawExchange.BadRequest {
        if (exchange.path.equals("/health-check")) {
            exchange.respond(200, "application/json", json.writeValueAsString(health()));
            return;
        }
        String marker = exchange.param("marker");
        if (marker == null || marker.isEmpty() || !BearerAuthFilter.matches(exchange.param("password"), password)) {
            exchange.text(401, "Invalid marker or password");
            return;
        }
        String expected = exchange.path.equals("/lock") ? "GET" : "POST";
        if (!exchange.method.equals(expected)) {
            exchange.text(405, "Method not allowed");
            return;
        }
        switch (exchange.path) {
            case "/lock" -> lock(exchange, marker);
            case "/unlock" -> unlock(exchange, exchange.body(), false);
            case "/force-unlock" -> unlock(exchange, exchange.body(), true);
            case "/unlock-by-marker" -> {
                String target = exchange.param("target");
                if (target == null || target.isEmpty()) {
                    exchange.text(400, "target query parameter required");
                    return;
                }
                exchange.text(200, "Unlocked " + pool.releaseByMarker(target) + " databases");
            }
            case "/unlock-all" -> exchange.respond(200, "application/json",
                    json.writeValueAsString(ordered("status", "ok", "unlocked", pool.releaseAll())));
            case "/restart" -> restart(exchange);
            default -> exchange.text(404, "Not found");
        }
    }

    private void lock(RawExchange exchange, String marker) throws IOException {
        Acquisition request = pool.acquire(marker, properties.autoUnlock(), properties.lockWaitTimeout());
        request.granted().whenComplete((lease, failure) -> {
            if (failure != null) {
                answerFailure(exchange, failure);
                return;
            }
            try {
                exchange.startStream(200, Map.of("X-PGFlock-Version", "2", "X-Lease-Id", lease.id(),
                        "X-Lease-Expires", lease.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString()));
                exchange.out.write((lease.connection().postgresUrl() + "\n").getBytes(StandardCharsets.UTF_8));
                exchange.out.flush();
            } catch (IOException e) {
                request.abandon();
                closeQuietly(exchange);
                return;
            }
            lease.ended().thenRun(() -> closeQuietly(exchange));
        });
        try {
            exchange.socket.setSoTimeout(0);
            while (exchange.in.read() >= 0) {
                // a pgflock client sends nothing more; the connection's end is the unlock
            }
        } catch (IOException closed) {
            // closed by the client or, when the lease ended, by us
        } finally {
            request.abandon();
        }
    }

    private void answerFailure(RawExchange exchange, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        try {
            if (cause instanceof CancellationException) {
                return;
            } else if (cause instanceof WaitTimeoutException || cause instanceof PoolClosedException) {
                exchange.text(503, cause.getMessage());
            } else {
                exchange.text(500, "Failed to reset database: " + cause.getMessage());
            }
        } catch (IOException ignored) {
            // the client is gone
        } finally {
            closeQuietly(exchange);
        }
    }

    private void unlock(RawExchange exchange, String body, boolean force) throws IOException {
        if (body == null || body.isBlank()) {
            exchange.text(400, "Connection string required in request body");
            return;
        }
        ConnectionDetails details;
        try {
            details = ConnectionDetails.parse(body.strip());
        } catch (IllegalArgumentException e) {
            exchange.text(400, "Database connection does not exist");
            return;
        }
        Pool.ReleaseResult result = pool.releaseDatabase(details.port(), details.database(),
                force ? LeaseEnd.FORCE_RELEASED : LeaseEnd.RELEASED);
        switch (result) {
            case NO_SUCH_DATABASE -> exchange.text(400, "Database connection does not exist");
            case NOT_LOCKED -> {
                if (force) {
                    exchange.text(200, "Database was not locked");
                } else {
                    exchange.text(400, "Database is not currently locked");
                }
            }
            case RELEASED -> exchange.text(200, force ? "Database force unlocked" : "Database unlocked successfully");
        }
    }

    private void restart(RawExchange exchange) throws IOException {
        try {
            pool.restart();
            exchange.respond(200, "application/json",
                    json.writeValueAsString(ordered("status", "ok", "message", "Restart completed successfully")));
        } catch (RestartException e) {
            if (e.inProgress()) {
                exchange.text(409, "Restart already in progress");
            } else {
                log.warn("restart failed: {}", e.getMessage());
                exchange.text(500, "Restart failed: " + e.getMessage());
            }
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
        health.put("locks", locks);
        return health;
    }

    /** A JSON object whose keys keep the given order, as pgflock writes them. */
    private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    private static void closeQuietly(RawExchange exchange) {
        try {
            exchange.socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
