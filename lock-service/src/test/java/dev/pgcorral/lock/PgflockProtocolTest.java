package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import dev.pgcorral.lock.pool.LeaseEnd;
import tools.jackson.databind.JsonNode;

/** pgflock's locker protocol, byte for byte where its Go client looks. */
class PgflockProtocolTest extends PoolTestBase {

    @Test
    void lockAnswersAtOnceWithVersionHeaderAndAUsableConnectionStringThenHoldsTheResponseOpen() throws Exception {
        try (PgflockConnection lock = PgflockConnection.lock(port, "TestA", PASSWORD)) {
            assertThat(lock.status).isEqualTo(200);
            assertThat(lock.headers).containsEntry("x-pgflock-version", "2").doesNotContainKey("content-length");
            String url = lock.firstLine();
            assertThat(url).matches("postgresql://tester:pgflock@127\\.0\\.0\\.1:\\d+/tester[1-3]");
            try (Connection db = connect(url); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database(), (SELECT count(*) FROM account)")) {
                rs.next();
                assertThat(url).endsWith("/" + rs.getString(1));
                assertThat(rs.getInt(2)).as("seed row of the template's migration").isEqualTo(1);
            }
            JsonNode health = client.health();
            assertThat(health.get("locked").asInt()).isEqualTo(1);
            assertThat(health.get("locks").get(0).get("marker").asString()).isEqualTo("TestA");
            assertThat(health.get("locks").get(0).get("conn_string").asString()).doesNotContain(PASSWORD);
            lock.socket.setSoTimeout(300);
            assertThat(readTimesOut(lock)).as("the response stays open while the lease lives").isTrue();
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> locked() == 0);
    }

    @Test
    void aMarkerOfUpTo1000CharactersIsShownWholeALongerOneIsRefused() throws Exception {
        String longest = "m".repeat(1000);
        try (PgflockConnection lock = PgflockConnection.lock(port, longest, PASSWORD)) {
            assertThat(lock.status).isEqualTo(200);
            lock.firstLine();
            assertThat(pool.status().databases()).anySatisfy(db -> assertThat(db.marker()).isEqualTo(longest));
        }
        try (PgflockConnection refused = PgflockConnection.lock(port, longest + "m", PASSWORD)) {
            assertThat(refused.status).isEqualTo(400);
            assertThat(refused.firstLine()).isEqualTo("Marker too long: at most 1000 characters");
        }
        var json = client.apiPost("/api/v1/leases", "{\"marker\":\"" + longest + "m\"}");
        assertThat(json.status()).isEqualTo(400);
        assertThat(json.contentType()).startsWith("application/problem+json");
        assertThat(json.body()).contains("marker");
        assertThat(waiting()).isZero();
    }

    @Test
    void closingTheConnectionWhileHoldingReleasesAndTheDatabaseComesBackClean() throws Exception {
        Set<String> urls = new HashSet<>();
        List<PgflockConnection> held = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            PgflockConnection lock = PgflockConnection.lock(port, "fill" + i, PASSWORD);
            String url = lock.firstLine();
            urls.add(url);
            held.add(lock);
            try (Connection db = connect(url); Statement st = db.createStatement()) {
                st.execute("INSERT INTO account (email) VALUES ('left-behind-" + i + "@example.com')");
                st.execute("CREATE TABLE leftover (x int)");
            }
        }
        assertThat(urls).as("no database handed out twice").hasSize(TOTAL);
        for (PgflockConnection lock : held) {
            lock.close();
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> locked() == 0);
        awaitPoolFull();
        for (int i = 0; i < TOTAL; i++) {
            held.set(i, PgflockConnection.lock(port, "again" + i, PASSWORD));
            try (Connection db = connect(held.get(i).firstLine()); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM account), to_regclass('leftover') IS NULL")) {
                rs.next();
                assertThat(rs.getInt(1)).as("nothing left from the previous holder").isEqualTo(1);
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
        for (PgflockConnection lock : held) {
            lock.close();
        }
    }

    @Test
    void waitersAreServedInArrivalOrderAndAWaiterThatLeavesIsForgotten() throws Exception {
        List<PgflockConnection> held = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            held.add(PgflockConnection.lock(port, "holder" + i, PASSWORD));
            held.get(i).firstLine();
        }
        PgflockConnection first = PgflockConnection.send(port, "first", PASSWORD);
        await().until(() -> waiting() == 1);
        PgflockConnection leaver = PgflockConnection.send(port, "leaver", PASSWORD);
        await().until(() -> waiting() == 2);
        PgflockConnection second = PgflockConnection.send(port, "second", PASSWORD);
        await().until(() -> waiting() == 3);

        leaver.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> waiting() == 2);
        assertThat(pool.status().waiters()).extracting(w -> w.marker()).containsExactly("first", "second");

        held.get(0).close();
        first.readHead();
        assertThat(first.status).isEqualTo(200);
        assertThat(first.firstLine()).startsWith("postgresql://");
        assertThat(pool.status().waiters()).extracting(w -> w.marker()).containsExactly("second");

        held.get(1).close();
        second.readHead();
        assertThat(second.firstLine()).startsWith("postgresql://");
        assertThat(locked()).isEqualTo(TOTAL);
        first.close();
        second.close();
        for (PgflockConnection lock : held) {
            lock.close();
        }
    }

    @Test
    void serverSideReleaseEndsTheStream() throws Exception {
        PgflockConnection lock = PgflockConnection.lock(port, "victim", PASSWORD);
        String url = lock.firstLine();
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            try {
                return lock.readToEnd();
            } catch (Exception e) {
                return "error: " + e;
            }
        });
        var response = client.post("/force-unlock?" + client.auth("admin"), url);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Database force unlocked\n");
        assertThat(rest.get()).as("the response ends").isEmpty();
        lock.close();
    }

    @Test
    void expiryEndsTheStreamAndTakesTheDatabaseBack() throws Exception {
        PgflockConnection lock = PgflockConnection.lock(port, "slow", PASSWORD);
        lock.firstLine();
        String leaseId = lock.headers.get("x-lease-id");
        var extended = client.apiPost("/api/v1/leases/" + leaseId + "/extend", "{\"ttlSeconds\":1}");
        assertThat(extended.status()).isEqualTo(200);
        assertThat(lock.readToEnd()).isEmpty();
        await().atMost(Duration.ofSeconds(2)).until(() -> locked() == 0);
        lock.close();
    }

    @Test
    void unlockEndpointsKeepPgflocksTexts() throws Exception {
        PgflockConnection lock = PgflockConnection.lock(port, "TestU", PASSWORD);
        String url = lock.firstLine();
        String auth = client.auth("TestU");

        assertThat(client.post("/unlock?" + auth, "")).isEqualTo(text(400, "Connection string required in request body"));
        assertThat(client.post("/unlock?" + auth, "postgresql://tester:pgflock@127.0.0.1:1/nope"))
                .isEqualTo(text(400, "Database connection does not exist"));
        assertThat(client.post("/unlock?" + auth, "not a url")).isEqualTo(text(400, "Database connection does not exist"));
        assertThat(locked()).isEqualTo(1);

        assertThat(client.post("/unlock?" + auth, url)).isEqualTo(text(200, "Database unlocked successfully"));
        assertThat(client.post("/unlock?" + auth, url)).isEqualTo(text(400, "Database is not currently locked"));
        assertThat(client.post("/force-unlock?" + auth, url)).isEqualTo(text(200, "Database was not locked"));
        assertThat(client.post("/force-unlock?" + auth, " ")).isEqualTo(text(400, "Connection string required in request body"));
        assertThat(lock.readToEnd()).isEmpty();
        lock.close();

        List<PgflockConnection> held = new ArrayList<>();
        for (String marker : List.of("m1", "m1", "m2")) {
            held.add(PgflockConnection.lock(port, marker, PASSWORD));
            held.get(held.size() - 1).firstLine();
        }
        assertThat(client.post("/unlock-by-marker?" + auth, "")).isEqualTo(text(400, "target query parameter required"));
        assertThat(client.post("/unlock-by-marker?" + auth + "&target=m1", "")).isEqualTo(text(200, "Unlocked 2 databases"));
        var all = client.post("/unlock-all?" + auth, "");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.contentType()).startsWith("application/json");
        assertThat(all.json().get("status").asString()).isEqualTo("ok");
        assertThat(all.json().get("unlocked").asInt()).isEqualTo(1);
        for (PgflockConnection h : held) {
            h.close();
        }
    }

    @Test
    void authIsCheckedBeforeTheMethodAndHealthCheckIsOpen() throws Exception {
        assertThat(client.get("/lock?marker=x&password=wrong")).isEqualTo(text(401, "Invalid marker or password"));
        assertThat(client.get("/lock?password=" + PASSWORD)).isEqualTo(text(401, "Invalid marker or password"));
        assertThat(client.get("/lock?marker=&password=" + PASSWORD)).isEqualTo(text(401, "Invalid marker or password"));
        assertThat(client.post("/lock?" + client.auth("x"), "")).isEqualTo(text(405, "Method not allowed"));
        assertThat(client.get("/unlock-all?" + client.auth("x"))).isEqualTo(text(405, "Method not allowed"));
        assertThat(client.post("/unlock-all?marker=x", "")).isEqualTo(text(401, "Invalid marker or password"));
        assertThat(client.get("/no-such-path").status()).isEqualTo(404);

        var health = client.post("/health-check", "");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.contentType()).startsWith("application/json");
        JsonNode json = health.json();
        assertThat(json.get("status").asString()).isEqualTo("ok");
        assertThat(json.get("total").asInt()).isEqualTo(TOTAL);
        assertThat(json.get("free").asInt()).isEqualTo(TOTAL);
        assertThat(json.get("auto_unlock_minutes").asInt()).isEqualTo(5);
        assertThat(json.get("locks").isArray()).isTrue();
        assertThat(locked()).isZero();
    }

    @Test
    void healthCheckListsLocksLongestHeldFirst() throws Exception {
        PgflockConnection older = PgflockConnection.lock(port, "older", PASSWORD);
        older.firstLine();
        await().until(() -> client.health().get("locks").get(0).get("duration_seconds").asInt() >= 1);
        PgflockConnection newer = PgflockConnection.lock(port, "newer", PASSWORD);
        newer.firstLine();
        JsonNode locks = client.health().get("locks");
        assertThat(locks.get(0).get("marker").asString()).isEqualTo("older");
        assertThat(locks.get(1).get("marker").asString()).isEqualTo("newer");
        assertThat(locks.get(0).get("locked_at").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        older.close();
        newer.close();
    }

    @Test
    void restartWhileLocksAreHeldEndsThemAndBringsThePoolBackFull() throws Exception {
        PgflockConnection lock = PgflockConnection.lock(port, "during-restart", PASSWORD);
        String url = lock.firstLine();
        try (Connection db = connect(url); Statement st = db.createStatement()) {
            st.execute("CREATE TABLE survivor (x int)");
        }
        var restart = client.post("/restart?" + client.auth("admin"), "");
        assertThat(restart.status()).isEqualTo(200);
        assertThat(restart.json().get("message").asString()).isEqualTo("Restart completed successfully");
        assertThat(lock.readToEnd()).as("the holder's response ended").isEmpty();
        lock.close();
        assertThat(client.health().get("free").asInt()).isEqualTo(TOTAL);
        try (PgflockConnection again = PgflockConnection.lock(port, "after-restart", PASSWORD)) {
            try (Connection db = connect(again.firstLine()); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT to_regclass('survivor') IS NULL, to_regclass('account') IS NOT NULL")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
    }

    @Test
    void malformedRequestsGetA4xxAndChangeNothing() throws Exception {
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("GET /lock HTTP/1.1\r\nno colon here\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("GET /lock?marker=a&password=" + PASSWORD + " HTTP/1.1\r\nX-Big: " + "x".repeat(40_000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 ");
        assertThat(raw("POST /unlock?marker=a&password=" + PASSWORD + " HTTP/1.1\r\nContent-Length: nine\r\n\r\n"))
                .startsWith("HTTP/1.1 400 ");
        assertThat(raw("POST /unlock?marker=a&password=" + PASSWORD + " HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"))
                .startsWith("HTTP/1.1 413 ");
        assertThat(raw("GET /lock?marker=%ZZ&password=" + PASSWORD + "%ZZ HTTP/1.1\r\n\r\n"))
                .startsWith("HTTP/1.1 401 ");
        assertThat(raw("POST /unlock?marker=a&password=" + PASSWORD + " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nnot a\r\n4\r\n url\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400 ").endsWith("Database connection does not exist\n");
        assertThat(client.health().get("free").asInt()).isEqualTo(TOTAL);
        assertThat(waiting()).isZero();
    }

    @Test
    void theBearerHeaderCarriesThePasswordWhenTheQueryHasNoneAndTheQueryPasswordWins() throws Exception {
        try (PgflockConnection lock = PgflockConnection.lockQuery(port, "marker=bearer", "Authorization: Bearer " + PASSWORD)) {
            assertThat(lock.status).isEqualTo(200);
            assertThat(lock.firstLine()).startsWith("postgresql://");
        }
        try (PgflockConnection lock = PgflockConnection.lockQuery(port, client.auth("query"), "Authorization: Bearer wrong")) {
            assertThat(lock.status).as("the query's password wins").isEqualTo(200);
        }
        for (String[] refused : new String[][] {{"marker=x", "Bearer wrong"}, {"marker=x&password=wrong", "Bearer " + PASSWORD},
                {"password=" + PASSWORD, "Bearer " + PASSWORD}, {"marker=x", PASSWORD}}) {
            try (PgflockConnection lock = PgflockConnection.lockQuery(port, refused[0], "Authorization: " + refused[1])) {
                assertThat(lock.status).as(String.join(" with ", refused)).isEqualTo(401);
                assertThat(lock.firstLine()).isEqualTo("Invalid marker or password");
            }
        }
        assertThat(postWithAuthorization("/unlock-by-marker?marker=x&target=nobody", "Bearer " + PASSWORD))
                .isEqualTo(text(200, "Unlocked 0 databases"));
        assertThat(postWithAuthorization("/unlock-by-marker?marker=x&target=nobody", "Bearer wrong"))
                .isEqualTo(text(401, "Invalid marker or password"));
    }

    @Test
    void ttlSecondsSetsTheLeasesTimeAndItsEndEndsTheResponse() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (PgflockConnection lock = PgflockConnection.lockQuery(port, client.auth("brief") + "&ttl_seconds=1")) {
            lock.firstLine();
            assertThat(Instant.parse(lock.headers.get("x-lease-expires"))).isAfter(before).isBefore(Instant.now().plusSeconds(10));
            assertThat(lock.readToEnd()).as("the response ends when the ttl runs out").isEmpty();
            assertThat(pool.endOf(lock.headers.get("x-lease-id"))).contains(LeaseEnd.EXPIRED);
        }
        awaitPoolFull();
        try (PgflockConnection lock = PgflockConnection.lockQuery(port, client.auth("long") + "&ttl_seconds=86400")) {
            lock.firstLine();
            assertThat(Instant.parse(lock.headers.get("x-lease-expires"))).isAfter(before.plus(Duration.ofHours(23)));
        }
    }

    @Test
    void waitSecondsZeroAnswers503AtOnceWithThePoolsCountsAndChangesNothing() throws Exception {
        List<PgflockConnection> held = holdEveryDatabase();
        PgflockConnection queued = PgflockConnection.send(port, "queued", PASSWORD);
        await().until(() -> waiting() == 1);
        try (PgflockConnection late = PgflockConnection.lockQuery(port, client.auth("late") + "&wait_seconds=0")) {
            assertThat(late.status).isEqualTo(503);
            assertThat(late.headers.get("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(late.firstLine()).isEqualTo("no database was free at once (all 6 databases are locked or resetting, "
                    + "1 other request is waiting); wait longer, or add databases with pgcorral.lock.databases-per-instance");
        }
        assertThat(pool.status().counts()).extracting(c -> c.locked(), c -> c.waiting()).containsExactly(TOTAL, 1);
        assertThat(pool.status().waiters()).extracting(w -> w.marker()).containsExactly("queued");
        queued.close();
        closeAll(held);
    }

    @Test
    void waitSecondsBoundsTheQueueingAndADatabaseFreedMeanwhileIsGranted() throws Exception {
        List<PgflockConnection> held = holdEveryDatabase();
        try (PgflockConnection late = PgflockConnection.lockQuery(port, client.auth("late") + "&wait_seconds=1")) {
            assertThat(late.status).isEqualTo(503);
            assertThat(late.firstLine()).startsWith("no database became free within 1000 ms (all 6 databases are locked or resetting, "
                    + "0 other requests are waiting)");
        }
        PgflockConnection patient = PgflockConnection.sendQuery(port, client.auth("patient") + "&wait_seconds=2");
        await().until(() -> waiting() == 1);
        held.get(0).close();
        patient.readHead();
        assertThat(patient.status).isEqualTo(200);
        assertThat(patient.firstLine()).startsWith("postgresql://");
        patient.close();
        closeAll(held);
    }

    @Test
    void aBadTtlOrWaitGets400AfterTheAuthAndMethodChecksAndTakesNothing() {
        String ttlRule = "ttl_seconds must be a whole number from 1 to 86400";
        String waitRule = "wait_seconds must be a whole number from 0 to 3600";
        for (String bad : List.of("ttl_seconds=0", "ttl_seconds=86401", "ttl_seconds=", "ttl_seconds=1.5", "ttl_seconds=-1",
                "ttl_seconds=99999999999", "wait_seconds=3601", "wait_seconds=-1", "wait_seconds=soon&ttl_seconds=60")) {
            assertThat(client.get("/lock?" + client.auth("bad") + "&" + bad))
                    .as(bad).isEqualTo(text(400, bad.startsWith("ttl") ? ttlRule : waitRule));
        }
        assertThat(client.get("/lock?marker=bad&password=wrong&ttl_seconds=0")).isEqualTo(text(401, "Invalid marker or password"));
        assertThat(client.post("/lock?" + client.auth("bad") + "&wait_seconds=-1", "")).isEqualTo(text(405, "Method not allowed"));
        assertThat(pool.status().counts()).extracting(c -> c.free(), c -> c.waiting()).containsExactly(TOTAL, 0);
    }

    private List<PgflockConnection> holdEveryDatabase() throws Exception {
        List<PgflockConnection> held = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            held.add(PgflockConnection.lock(port, "holder" + i, PASSWORD));
            held.get(i).firstLine();
        }
        return held;
    }

    private static void closeAll(List<PgflockConnection> connections) throws Exception {
        for (PgflockConnection connection : connections) {
            connection.close();
        }
    }

    private LockServiceClient.Response postWithAuthorization(String path, String authorization) {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.noBody()), false);
    }

    private String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static LockServiceClient.Response text(int status, String message) {
        return new LockServiceClient.Response(status, "text/plain; charset=utf-8", message + "\n");
    }

    /** True when nothing arrives (no byte, no end of stream) before the socket's read timeout. */
    private static boolean readTimesOut(PgflockConnection lock) throws Exception {
        try {
            lock.socket.getInputStream().read();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }
}
