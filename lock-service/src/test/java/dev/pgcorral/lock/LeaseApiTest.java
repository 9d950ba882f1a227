package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The JSON API under /api/v1: leases, force-release, status, restart; its errors; its authentication. */
class LeaseApiTest extends PoolTestBase {

    @Test
    void aLeaseCarriesWorkingConnectionDetailsAndReleasingItFreesTheDatabase() throws Exception {
        var taken = client.apiPost("/api/v1/leases", "{\"marker\":\"ApiTest\",\"ttlSeconds\":120}");
        assertThat(taken.status()).isEqualTo(201);
        JsonNode lease = taken.json();
        assertThat(lease.get("marker").asString()).isEqualTo("ApiTest");
        assertThat(lease.get("user").asString()).isEqualTo("tester");
        assertThat(lease.get("password").asString()).isEqualTo(PASSWORD);
        assertThat(lease.get("jdbcUrl").asString()).isEqualTo("jdbc:postgresql://127.0.0.1:" + lease.get("port").asInt()
                + "/" + lease.get("database").asString());
        Instant expires = Instant.parse(lease.get("expiresAt").asString());
        assertThat(expires).isBetween(Instant.now().plusSeconds(100), Instant.now().plusSeconds(121));
        try (Connection db = connect(lease.get("postgresUrl").asString()); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")) {
            assertThat(rs.next()).as("the template's extension").isTrue();
        }
        String id = lease.get("id").asString();
        assertThat(client.apiGet("/api/v1/leases/" + id).json().get("database").asString()).isEqualTo(lease.get("database").asString());
        JsonNode status = client.apiGet("/api/v1/status").json();
        assertThat(status.get("counts").get("locked").asInt()).isEqualTo(1);
        assertThat(status.toString()).doesNotContain(id).doesNotContain(":" + PASSWORD + "@");

        assertThat(client.apiDelete("/api/v1/leases/" + id).status()).isEqualTo(204);
        var again = client.apiDelete("/api/v1/leases/" + id);
        assertThat(again.status()).isEqualTo(410);
        assertThat(again.json().get("detail").asString()).contains("it was released");
        assertThat(pool.status().counts().locked()).isZero();
    }

    @Test
    void aLeaseExpiresAfterItsTtlAndCanBeExtendedBeforeThat() {
        String id = client.apiPost("/api/v1/leases", "{\"marker\":\"short\",\"ttlSeconds\":1}").json().get("id").asString();
        String kept = client.apiPost("/api/v1/leases", "{\"marker\":\"kept\",\"ttlSeconds\":1}").json().get("id").asString();
        var extended = client.apiPost("/api/v1/leases/" + kept + "/extend", "{\"ttlSeconds\":60}");
        assertThat(extended.status()).isEqualTo(200);
        assertThat(Instant.parse(extended.json().get("expiresAt").asString())).isAfter(Instant.now().plusSeconds(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> client.apiGet("/api/v1/leases/" + id).status() == 410);
        assertThat(client.apiGet("/api/v1/leases/" + id).json().get("detail").asString()).contains("auto-unlock");
        assertThat(client.apiGet("/api/v1/leases/" + kept).status()).isEqualTo(200);
        assertThat(pool.status().counts().locked()).isEqualTo(1);
    }

    @Test
    void waitingForALeaseTimesOutWith503WhenThePoolStaysFull() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            ids.add(client.apiPost("/api/v1/leases", "{\"marker\":\"fill\"}").json().get("id").asString());
        }
        var now = client.apiPost("/api/v1/leases", "{\"marker\":\"late\"}");
        assertThat(now.status()).isEqualTo(503);
        assertThat(now.contentType()).startsWith("application/problem+json");
        var waited = client.apiPost("/api/v1/leases", "{\"marker\":\"late\",\"waitSeconds\":1}");
        assertThat(waited.status()).isEqualTo(503);
        assertThat(waited.json().get("detail").asString()).contains("no database became free within 1000 ms");
        assertThat(pool.status().counts().waiting()).isZero();

        client.apiDelete("/api/v1/leases/" + ids.get(0));
        var served = client.apiPost("/api/v1/leases", "{\"marker\":\"patient\",\"waitSeconds\":30}");
        assertThat(served.status()).isEqualTo(201);
    }

    @Test
    void aWaiterWhoseClientDisconnectsLeavesTheQueueAndIsNeverGranted() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            ids.add(client.apiPost("/api/v1/leases", "{\"marker\":\"fill\"}").json().get("id").asString());
        }
        String body = "{\"marker\":\"leaver\",\"waitSeconds\":60}";
        Socket leaver = new Socket("127.0.0.1", port);
        leaver.getOutputStream().write(("POST /api/v1/leases HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + PASSWORD
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nX-Pgcorral-Connection: forged\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        await().until(() -> pool.status().counts().waiting() == 1);
        var patient = CompletableFuture.supplyAsync(() ->
                client.apiPost("/api/v1/leases", "{\"marker\":\"patient\",\"waitSeconds\":60}"));
        await().until(() -> pool.status().counts().waiting() == 2);
        assertThat(pool.status().waiters()).extracting(w -> w.marker()).containsExactly("leaver", "patient");

        leaver.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> pool.status().counts().waiting() == 1);
        assertThat(pool.status().waiters()).extracting(w -> w.marker()).containsExactly("patient");

        client.apiDelete("/api/v1/leases/" + ids.get(0));
        var served = patient.get(60, TimeUnit.SECONDS);
        assertThat(served.status()).as("the freed database went to the next waiter, not to the one that left").isEqualTo(201);
        assertThat(served.json().get("marker").asString()).isEqualTo("patient");
        assertThat(pool.leases()).extracting(lease -> lease.marker()).doesNotContain("leaver").hasSize(TOTAL);
    }

    @Test
    void forceReleaseByDatabaseAndByMarkerAndReleaseAll() {
        JsonNode a = client.apiPost("/api/v1/leases", "{\"marker\":\"suite-a\"}").json();
        client.apiPost("/api/v1/leases", "{\"marker\":\"suite-b\"}");
        client.apiPost("/api/v1/leases", "{\"marker\":\"suite-b\"}");
        client.apiPost("/api/v1/leases", "{\"marker\":\"suite-c\"}");

        var byDb = client.apiPost("/api/v1/force-release", "{\"port\":" + a.get("port").asInt() + ",\"database\":\""
                + a.get("database").asString() + "\"}");
        assertThat(byDb.json().get("released").asInt()).isEqualTo(1);
        assertThat(client.apiGet("/api/v1/leases/" + a.get("id").asString()).json().get("detail").asString())
                .contains("force-released");
        assertThat(client.apiPost("/api/v1/force-release", "{\"marker\":\"suite-b\"}").json().get("released").asInt()).isEqualTo(2);
        assertThat(client.apiPost("/api/v1/release-all", "").json().get("released").asInt()).isEqualTo(1);
        assertThat(pool.status().counts().locked()).isZero();
    }

    @Test
    void badInputGetsA4xxProblemAndLeavesThePoolAsItWas() {
        String id = client.apiPost("/api/v1/leases", "{\"marker\":\"keep-me\"}").json().get("id").asString();
        var before = pool.status().counts();

        assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"\"}"), 400);
        assertProblem(client.apiPost("/api/v1/leases", "{}"), 400);
        assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"ttlSeconds\":0}"), 400);
        assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"waitSeconds\":-1}"), 400);
        assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"waitSeconds\":\"soon\"}"), 400);
        assertProblem(client.apiPost("/api/v1/leases", "{not json"), 400);
        assertProblem(client.apiPost("/api/v1/leases/" + id + "/extend", "{\"ttlSeconds\":-5}"), 400);
        assertProblem(client.apiPost("/api/v1/leases/no-such-lease/extend", "{\"ttlSeconds\":5}"), 404);
        assertProblem(client.apiDelete("/api/v1/leases/no-such-lease"), 404);
        assertProblem(client.apiPost("/api/v1/force-release", "{}"), 400);
        assertProblem(client.apiPost("/api/v1/force-release", "{\"marker\":\"a\",\"database\":\"tester1\",\"port\":1}"), 400);
        assertProblem(client.apiPost("/api/v1/force-release", "{\"database\":\"tester1\"}"), 400);
        assertProblem(client.apiPost("/api/v1/force-release", "{\"database\":\"nope\",\"port\":1}"), 404);
        assertProblem(client.apiPost("/api/v1/force-release", "{\"database\":\"tester1\",\"port\":70000}"), 400);
        assertProblem(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/leases"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json"), true), 405);
        assertProblem(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/leases"))
                .POST(HttpRequest.BodyPublishers.ofString("marker=x")).header("Content-Type", "text/plain"), true), 415);

        assertThat(pool.status().counts()).isEqualTo(before);
        assertThat(client.apiGet("/api/v1/leases/" + id).status()).isEqualTo(200);
    }

    @Test
    void theApiNeedsTheBearerPasswordButHealthIsOpen() {
        client.apiPost("/api/v1/leases", "{\"marker\":\"must-survive\"}");
        LockServiceClient wrong = new LockServiceClient(port, "not-the-password");
        var denied = wrong.apiPost("/api/v1/leases", "{\"marker\":\"intruder\"}");
        assertProblem(denied, 401);
        assertThat(denied.body()).doesNotContain(PASSWORD);
        for (String disguised : java.util.List.of("/%61pi/v1/release-all", "/api;x=1/v1/release-all", "/api/v1/./release-all",
                "/API/v1/release-all")) {
            var sneaky = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + disguised))
                    .POST(HttpRequest.BodyPublishers.noBody()), false);
            assertThat(sneaky.status()).as(disguised).isIn(401, 404);
        }
        var missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/status")).GET(), false);
        assertProblem(missing, 401);
        assertThat(missing.json().get("detail").asString()).contains("Authorization: Bearer");
        assertThat(pool.status().counts().locked()).as("nothing released without the password").isEqualTo(1);

        var health = client.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(client.get("/actuator/prometheus").body()).contains("pgcorral_lock_databases{state=\"free\"}",
                "pgcorral_lock_wait_seconds", "pgcorral_lock_reset_seconds", "pgcorral_lock_waiting");
    }

    @Test
    void instanceLogsAreReadableOverTheApi() throws Exception {
        JsonNode lease = client.apiPost("/api/v1/leases", "{\"marker\":\"logs\"}").json();
        try (Connection db = connect(lease.get("postgresUrl").asString()); Statement st = db.createStatement()) {
            st.execute("SELECT * FROM table_that_is_not_there");
        } catch (java.sql.SQLException expected) {
            // the server logs the failed statement
        }
        int instance = pool.status().instances().stream().filter(i -> i.port() == lease.get("port").asInt())
                .findFirst().orElseThrow().index();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                client.apiGet("/api/v1/instances/" + instance + "/logs?lines=50").body().contains("table_that_is_not_there"));
        var logs = client.apiGet("/api/v1/instances/" + instance + "/logs");
        assertThat(logs.status()).isEqualTo(200);
        assertThat(logs.contentType()).startsWith("text/plain");
        assertProblem(client.apiGet("/api/v1/instances/99/logs"), 404);
        assertProblem(client.apiGet("/api/v1/instances/1/logs?lines=0"), 400);
        assertProblem(client.apiGet("/api/v1/instances/1/logs?lines=many"), 400);
    }

    @Test
    void instanceLogsLeaveOutCheckpointLinesUnlessAllAreAsked() throws Exception {
        JsonNode lease = client.apiPost("/api/v1/leases", "{\"marker\":\"checkpoints\"}").json();
        try (Connection db = connect(lease.get("postgresUrl").asString()); Statement st = db.createStatement()) {
            st.execute("CHECKPOINT");
        }
        int instance = pool.status().instances().stream().filter(i -> i.port() == lease.get("port").asInt())
                .findFirst().orElseThrow().index();
        String logs = "/api/v1/instances/" + instance + "/logs?lines=10000";
        await().atMost(Duration.ofSeconds(30)).until(() -> client.apiGet(logs + "&all=true").body().contains("checkpoint complete"));
        String everything = client.apiGet(logs + "&all=true").body();
        assertThat(everything).contains("checkpoint starting");
        var filtered = client.apiGet(logs);
        assertThat(filtered.status()).isEqualTo(200);
        assertThat(filtered.body()).doesNotContain("checkpoint starting").doesNotContain("checkpoint complete");
        assertThat(filtered.body().lines().count()).as("the other lines are still there").isPositive();
    }

    @Test
    void restartOverTheApi() {
        String id = client.apiPost("/api/v1/leases", "{\"marker\":\"r\"}").json().get("id").asString();
        var restart = client.apiPost("/api/v1/restart", "");
        assertThat(restart.status()).isEqualTo(200);
        assertThat(restart.json().get("templateHash").asString()).isEqualTo(pool.templateHash());
        assertThat(client.apiGet("/api/v1/leases/" + id).json().get("detail").asString()).contains("pool was restarted");
        assertThat(pool.status().counts().free()).isEqualTo(TOTAL);
    }

    private static void assertProblem(LockServiceClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("status").asInt()).isEqualTo(status);
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }
}
