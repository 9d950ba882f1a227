package dev.pgcorral.lock.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * A client of one lock-service: leases clean databases ({@link #lock}), reads the pool's status, gives every database
 * back, restarts the pool. Uses the JDK's HTTP client; thread-safe, meant to be shared (one per JVM is plenty).
 * <pre>{@code
 * LockClient client = LockClient.fromEnvironment();   // PGCORRAL_LOCK_URL, PGCORRAL_LOCK_PASSWORD, or localhost:9191
 * try (Lease lease = client.lock("OrderTest")) {
 *     DataSource db = lease.dataSource();
 *     ...
 * }
 * }</pre>
 */
public final class LockClient {

    /** Longest marker lock-service takes. */
    public static final int MAX_MARKER_LENGTH = 1000;
    /**
     * The time to live of a lease that outlives a single test (a class's, a Spring context's, a connection pool's):
     * longer than lock-service's auto-unlock (5 min by default); a JVM that ends gives it back at once anyway.
     */
    public static final Duration LONG_LIVED = Duration.ofHours(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How much longer than the wait the client waits for lock-service's answer, before it calls the service silent. */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(30);

    private final LockSettings settings;
    private final HttpClient http;

    public LockClient(LockSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    public LockClient(URI url, String password) {
        this(new LockSettings(url, password, LockSettings.DEFAULT_WAIT));
    }

    /** A client with {@link LockSettings#fromEnvironment()}. */
    public static LockClient fromEnvironment() {
        return new LockClient(LockSettings.fromEnvironment());
    }

    public LockSettings settings() {
        return settings;
    }

    /** Leases a database for {@code marker}, waiting up to the settings' wait; held until lock-service's auto-unlock time. */
    public Lease lock(String marker) {
        return lock(marker, settings.lockWait(), null);
    }

    /**
     * Leases a clean database.
     *
     * @param marker who holds it, as lock-service and its dashboard show it (1–1000 characters)
     * @param wait   how long to queue for a free database (0: answer at once); at most 3600 s
     * @param ttl    how long lock-service lets the lease live before it takes the database back (1 s–24 h); null: its
     *               auto-unlock time
     * @throws NoDatabaseAvailableException     no database became free within the wait
     * @throws LockAuthenticationException      the password is wrong
     * @throws LockServiceUnreachableException  lock-service is not there
     */
    public Lease lock(String marker, Duration wait, Duration ttl) {
        if (marker == null || marker.isEmpty() || marker.length() > MAX_MARKER_LENGTH) {
            throw new IllegalArgumentException("a marker has 1 to " + MAX_MARKER_LENGTH + " characters");
        }
        if (wait == null || wait.isNegative() || wait.toSeconds() > 3600) {
            throw new IllegalArgumentException("the wait for a database must be from 0 to 3600 s, not " + wait);
        }
        if (ttl != null && (ttl.toSeconds() < 1 || ttl.toSeconds() > 86_400)) {
            throw new IllegalArgumentException("a lease's time to live must be from 1 s to 24 h, not " + ttl);
        }
        String query = "marker=" + URLEncoder.encode(marker, StandardCharsets.UTF_8) + "&wait_seconds=" + wait.toSeconds()
                + (ttl == null ? "" : "&ttl_seconds=" + ttl.toSeconds());
        HttpRequest request = HttpRequest.newBuilder(settings.url().resolve("/lock?" + query))
                .header("Authorization", "Bearer " + settings.password())
                .timeout(wait.plus(ANSWER_GRACE))
                .GET().build();
        HttpResponse<Object> response = send(request, info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.mapping(new HeldResponse(), held -> held)
                : HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), text -> text),
                "lock a database for " + marker);
        if (response.statusCode() != 200) {
            throw refusal("locking a database for " + marker, response.statusCode(), (String) response.body());
        }
        HeldResponse held = (HeldResponse) response.body();
        if (!"2".equals(response.headers().firstValue("X-PGFlock-Version").orElse(null))) {
            held.release();
            throw new LockClientException(settings.url() + " answered /lock without the header X-PGFlock-Version: 2; is it a lock-service?");
        }
        try {
            return new Lease(response.headers().firstValue("X-Lease-Id").orElse(null), marker, held.firstLineText(),
                    expiry(response.headers().firstValue("X-Lease-Expires").orElse(null)), held);
        } catch (RuntimeException e) {
            held.release();
            throw e;
        }
    }

    /** The pool now: its status and counts ({@code GET /health-check}). */
    public PoolStatus status() {
        HttpRequest request = HttpRequest.newBuilder(settings.url().resolve("/health-check")).timeout(ANSWER_GRACE).GET().build();
        HttpResponse<Object> response = send(request, text(), "read the pool's status");
        if (response.statusCode() != 200) {
            throw refusal("reading the pool's status", response.statusCode(), (String) response.body());
        }
        Map<String, String> fields = TopLevelFields.of((String) response.body());
        return new PoolStatus(fields.getOrDefault("status", "unknown"), TopLevelFields.number(fields, "total"),
                TopLevelFields.number(fields, "locked"), TopLevelFields.number(fields, "free"), TopLevelFields.number(fields, "waiting"));
    }

    /**
     * Checks that lock-service answers at the URL and takes the password ({@code GET /api/v1/status}), so that bad
     * settings fail at once with their own exception, before anything is leased.
     */
    public void checkAccess() {
        HttpRequest request = HttpRequest.newBuilder(settings.url().resolve("/api/v1/status"))
                .header("Authorization", "Bearer " + settings.password()).timeout(ANSWER_GRACE).GET().build();
        HttpResponse<Object> response = send(request, text(), "check its password");
        if (response.statusCode() != 200) {
            throw refusal("checking the password", response.statusCode(), (String) response.body());
        }
    }

    /** Gives back every database of the pool, whoever holds it; returns how many were held. */
    public int releaseAll() {
        HttpResponse<Object> response = send(apiPost("/api/v1/release-all"), text(), "give every database back");
        if (response.statusCode() != 200) {
            throw refusal("giving every database back", response.statusCode(), (String) response.body());
        }
        return TopLevelFields.number(TopLevelFields.of((String) response.body()), "released");
    }

    /** Restarts the pool's servers and rebuilds its databases; returns when that is done. */
    public void restart() {
        HttpResponse<Object> response = send(apiPost("/api/v1/restart"), text(), "restart the pool");
        if (response.statusCode() != 200) {
            throw refusal("restarting the pool", response.statusCode(), (String) response.body());
        }
    }

    private HttpRequest apiPost(String path) {
        return HttpRequest.newBuilder(settings.url().resolve(path))
                .header("Authorization", "Bearer " + settings.password())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    private static HttpResponse.BodyHandler<Object> text() {
        return info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), text -> text);
    }

    private HttpResponse<Object> send(HttpRequest request, HttpResponse.BodyHandler<Object> handler, String what) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(what, "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new NoDatabaseAvailableException("lock-service at " + settings.url() + " did not answer within "
                    + request.timeout().map(Duration::toSeconds).orElse(0L) + " s when asked to " + what);
        } catch (ConnectException e) {
            throw unreachable(what, "connection refused");
        } catch (IOException e) {
            throw unreachable(what, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockClientException("interrupted while asking lock-service at " + settings.url() + " to " + what);
        }
    }

    private LockServiceUnreachableException unreachable(String what, String why) {
        return new LockServiceUnreachableException("cannot reach lock-service at " + settings.url() + " to " + what + " (" + why
                + "): start it (java -jar lock-service.jar) or point PGCORRAL_LOCK_URL (or -Dpgcorral.lock.url) at it");
    }

    private LockClientException refusal(String what, int status, String body) {
        String text = body == null ? "" : body.strip();
        if (status == 401) {
            return new LockAuthenticationException("lock-service at " + settings.url() + " refused the password when " + what
                    + ": set PGCORRAL_LOCK_PASSWORD (or -Dpgcorral.lock.password) to its pgcorral.lock.password");
        }
        if (status == 503) {
            return new NoDatabaseAvailableException("lock-service at " + settings.url() + " had no database free when " + what
                    + ": " + text);
        }
        if (status == 404) {
            return new LockClientException(settings.url() + " has no such endpoint (404) when " + what + "; is it a lock-service?");
        }
        return new LockClientException("lock-service at " + settings.url() + " answered " + status + " when " + what + ": " + text);
    }

    private static Instant expiry(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Instant.parse(header);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
