package dev.pgcorral.lock.api;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.hibernate.validator.constraints.Range;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.lock.LockProperties;
import dev.pgcorral.lock.pool.Acquisition;
import dev.pgcorral.lock.pool.Lease;
import dev.pgcorral.lock.pool.LeaseEnd;
import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.PoolClosedException;
import dev.pgcorral.lock.pool.PoolStatus;
import dev.pgcorral.lock.pool.RestartException;
import dev.pgcorral.lock.pool.WaitTimeoutException;
import dev.pgcorral.lock.runtime.ServerLogs;

/** lock-service's JSON API, {@code /api/v1}; authenticated with {@code Authorization: Bearer <password>}. */
@RestController
@RequestMapping("/api/v1")
public class LeaseApi {

    static final int MAX_WAIT_SECONDS = 3600;
    static final int MAX_TTL_SECONDS = 86_400;
    static final String MARKER_LENGTH = "must be at most {max} characters long";

    private final Pool pool;
    private final LockProperties properties;
    private final ClientConnections clients;

    public LeaseApi(Pool pool, LockProperties properties, ClientConnections clients) {
        this.pool = pool;
        this.properties = properties;
        this.clients = clients;
    }

    /**
     * @param marker      who holds the lease, e.g. the test's name
     * @param waitSeconds how long to wait for a free database; 0 answers at once
     * @param ttlSeconds  how long the lease lives unless extended; default the auto-unlock time
     */
    public record LeaseRequest(@NotBlank(message = "must be given and not blank")
                               @Size(max = Lease.MAX_MARKER_LENGTH, message = MARKER_LENGTH) String marker,
                               @Range(min = 0, max = MAX_WAIT_SECONDS) Integer waitSeconds,
                               @Range(min = 1, max = MAX_TTL_SECONDS) Integer ttlSeconds) {
    }

    public record ExtendRequest(@Range(min = 1, max = MAX_TTL_SECONDS) Integer ttlSeconds) {
    }

    public record ForceReleaseRequest(@Range(min = 1, max = 65535) Integer port,
                                      @Size(max = 200, message = "must be at most {max} characters long") String database,
                                      @Size(max = Lease.MAX_MARKER_LENGTH, message = MARKER_LENGTH) String marker) {
    }

    /** A lease with everything needed to connect; the password is the caller's own. */
    public record LeaseView(String id, String marker, String host, int port, String database, String user,
                            String password, String postgresUrl, String jdbcUrl, Instant grantedAt, Instant expiresAt) {
        static LeaseView of(Lease lease) {
            var c = lease.connection();
            return new LeaseView(lease.id(), lease.marker(), c.host(), c.port(), c.database(), c.user(), c.password(),
                    c.postgresUrl(), c.jdbcUrl(), lease.grantedAt(), lease.expiresAt());
        }
    }

    /**
     * Takes a lease, waiting up to {@code waitSeconds} for a free database without holding a server thread.
     * A lease granted after the request has gone (timed out, failed) is released at once; a client that
     * leaves while waiting (seen by the front, which names its connection) leaves the queue.
     */
    @PostMapping("/leases")
    public DeferredResult<ResponseEntity<LeaseView>> take(@Valid @RequestBody LeaseRequest request,
            @RequestHeader(name = ClientConnections.HEADER, required = false) String connection) {
        Duration ttl = request.ttlSeconds() == null ? properties.autoUnlock() : Duration.ofSeconds(request.ttlSeconds());
        int waitSeconds = request.waitSeconds() == null ? 0 : request.waitSeconds();
        Acquisition acquisition = pool.acquire(request.marker(), ttl, Duration.ofSeconds(waitSeconds));
        if (waitSeconds == 0 && !acquisition.granted().isDone()) {
            acquisition.abandon();
            throw unavailable("no database is free right now; ask with waitSeconds to queue for one");
        }
        DeferredResult<ResponseEntity<LeaseView>> result = new DeferredResult<>((waitSeconds + 5) * 1000L);
        ClientConnections.Registration clientGone = clients.onClose(connection, acquisition::abandon);
        result.onCompletion(clientGone::cancel);
        result.onTimeout(() -> {
            acquisition.abandon();
            result.setErrorResult(unavailable("no database became free within " + waitSeconds + " s"));
        });
        result.onError(failure -> acquisition.abandon());
        acquisition.granted().whenComplete((lease, failure) -> {
            if (failure == null) {
                clientGone.cancel();
                if (!result.setResult(ResponseEntity.created(URI.create("/api/v1/leases/" + lease.id())).body(LeaseView.of(lease)))) {
                    pool.release(lease, LeaseEnd.CLIENT_GONE);
                }
            } else if (failure instanceof WaitTimeoutException || failure instanceof PoolClosedException) {
                result.setErrorResult(unavailable(failure.getMessage()));
            } else if (!(failure instanceof CancellationException)) {
                result.setErrorResult(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "Lock failed", failure.getMessage()));
            }
        });
        return result;
    }

    @GetMapping("/leases/{id}")
    public LeaseView get(@PathVariable String id) {
        return LeaseView.of(pool.lease(id).orElseThrow(() -> unknownLease(id)));
    }

    @DeleteMapping("/leases/{id}")
    public ResponseEntity<Void> release(@PathVariable String id) {
        Lease lease = pool.lease(id).orElseThrow(() -> unknownLease(id));
        pool.release(lease, LeaseEnd.RELEASED);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/leases/{id}/extend")
    public LeaseView extend(@PathVariable String id, @Valid @RequestBody(required = false) ExtendRequest request) {
        Duration ttl = request == null || request.ttlSeconds() == null ? properties.autoUnlock()
                : Duration.ofSeconds(request.ttlSeconds());
        return LeaseView.of(pool.extend(id, ttl).orElseThrow(() -> unknownLease(id)));
    }

    /** Releases a database's lease whoever holds it: by {@code port} and {@code database}, or every lease of a {@code marker}. */
    @PostMapping("/force-release")
    public Map<String, Object> forceRelease(@Valid @RequestBody ForceReleaseRequest request) {
        boolean byDatabase = request.database() != null || request.port() != null;
        boolean byMarker = request.marker() != null;
        if (byDatabase == byMarker) {
            throw ApiException.badRequest("give either port and database, or marker");
        }
        if (byMarker) {
            if (request.marker().isBlank()) {
                throw ApiException.badRequest("marker must not be blank");
            }
            return Map.of("released", pool.releaseByMarker(request.marker()));
        }
        if (request.database() == null || request.port() == null) {
            throw ApiException.badRequest("give both port and database");
        }
        return switch (pool.releaseDatabase(request.port(), request.database(), LeaseEnd.FORCE_RELEASED)) {
            case NO_SUCH_DATABASE -> throw ApiException.notFound("no database " + request.database() + " on port " + request.port() + " in the pool");
            case NOT_LOCKED -> Map.of("released", 0);
            case RELEASED -> Map.of("released", 1);
        };
    }

    @PostMapping("/release-all")
    public Map<String, Object> releaseAll() {
        return Map.of("released", pool.releaseAll());
    }

    @GetMapping("/status")
    public PoolStatus status() {
        return pool.status();
    }

    /**
     * The last lines of an instance's server log, like {@code pgflock tail}; routine checkpoint lines
     * only with {@code all=true}.
     */
    @GetMapping(value = "/instances/{index}/logs", produces = "text/plain;charset=UTF-8")
    public String logs(@PathVariable int index, @RequestParam(defaultValue = "100") @Range(min = 1, max = 10_000) int lines,
                       @RequestParam(defaultValue = "false") boolean all) {
        return ServerLogs.tail(pool.instance(index)
                .orElseThrow(() -> ApiException.notFound("no instance " + index + "; instances are numbered from 1")), lines, all) + "\n";
    }

    @PostMapping("/restart")
    public Map<String, Object> restart() {
        try {
            pool.restart();
        } catch (RestartException e) {
            if (e.inProgress()) {
                throw ApiException.conflict("a restart is already in progress");
            }
            throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "Restart failed", e.getMessage());
        }
        return Map.of("status", "ok", "templateHash", pool.templateHash());
    }

    /** 410 with the reason for a lease that ended recently, 404 for one never seen. */
    private ApiException unknownLease(String id) {
        return pool.endOf(id)
                .map(end -> new ApiException(HttpStatus.GONE, "Lease ended", "lease " + id + " has ended: " + end.description()))
                .orElseGet(() -> ApiException.notFound("no lease " + id));
    }

    private static ApiException unavailable(String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "No database available", detail);
    }
}
