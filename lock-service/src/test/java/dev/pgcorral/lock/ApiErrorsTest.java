package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import tools.jackson.databind.JsonNode;

/**
 * Every error under /api/v1 and /actuator is an RFC 9457 problem document, never an HTML page and
 * never a 500 for bad input: those of Spring MVC, of Actuator, and those the servlet container
 * (Tomcat) raises itself before a request reaches the application. Validation errors name the field
 * and what is allowed.
 */
class ApiErrorsTest extends PoolTestBase {

    /** Tomcat's own port, behind the public front. */
    @LocalServerPort
    int tomcatPort;

    @Test
    void requestsTomcatRefusesBeforeTheApplicationAreProblems() throws IOException {
        String secret = "do-not-echo-" + PASSWORD;
        for (int target : List.of(tomcatPort, port)) {
            for (String path : List.of("/api/v1/leases/%zz", "/api/v1/leases/%00", "/api/v1/leases/a%2Fb",
                    "/api/v1/leases/a%5Cb", "/actuator/%zz", "/api/v1/leases/%C0%AF")) {
                JsonNode problem = assertProblem(raw(target, "GET " + path, ""), 400);
                assertThat(problem.get("detail").asString()).as(path).contains("path").contains("%-encoded UTF-8");
            }
            JsonNode badQuery = assertProblem(raw(target, "GET /api/v1/instances/1/logs?lines=%zz&password=" + secret, ""), 400);
            assertThat(badQuery.get("detail").asString()).contains("query string");
            assertThat(badQuery.toString()).doesNotContain(secret);
        }
        // The request head over Tomcat's limit: a long query string, a long header.
        String longQuery = "GET /api/v1/status?password=" + secret + "&x=" + "x".repeat(20_000);
        JsonNode tooLong = assertProblem(raw(tomcatPort, longQuery, ""), 400);
        assertThat(tooLong.get("detail").asString()).contains("too large");
        assertThat(tooLong.toString()).doesNotContain(secret);
        assertProblem(raw(tomcatPort, "GET /api/v1/status", "X-Filler: " + "y".repeat(20_000) + "\r\n"), 400);
        assertThat(pool.status().counts().free()).isEqualTo(TOTAL);
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesAreProblems() {
        assertThat(assertProblem(client.apiGet("/api/v1/nothing-here"), 404).get("detail").asString())
                .isEqualTo("no endpoint GET /api/v1/nothing-here");
        assertProblem(client.get("/actuator/nothing-here"), 404);
        assertProblem(client.get("/actuator/metrics/no.such.metric"), 404);
        assertProblem(client.get("/actuator/health/no-such-group"), 404);
        assertProblem(client.get("/error"), 404);
        assertProblem(client.send(HttpRequest.newBuilder(uri("/actuator/health")).POST(HttpRequest.BodyPublishers.noBody()), false), 405);
        assertProblem(client.apiGet("/api/v1/leases/a;b=c"), 404);

        var put = client.send(HttpRequest.newBuilder(uri("/api/v1/leases")).PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json"), true);
        assertThat(assertProblem(put, 405).get("detail").asString()).contains("PUT", "allowed: POST");
        var text = client.send(HttpRequest.newBuilder(uri("/api/v1/leases")).POST(HttpRequest.BodyPublishers.ofString("marker=x"))
                .header("Content-Type", "text/plain"), true);
        assertThat(assertProblem(text, 415).get("detail").asString()).contains("text/plain", "application/json");
        var bogusCharset = client.send(HttpRequest.newBuilder(uri("/api/v1/leases")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json; charset=bogus"), true);
        assertThat(assertProblem(bogusCharset, 415).get("detail").asString()).contains("application/json");
        var noBody = client.send(HttpRequest.newBuilder(uri("/api/v1/leases")).POST(HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json"), true);
        assertThat(assertProblem(noBody, 400).get("detail").asString()).contains("the request body is empty");
        var html = client.send(HttpRequest.newBuilder(uri("/api/v1/leases/nope")).header("Accept", "text/html").GET(), true);
        assertProblem(html, 404);
        assertThat(assertProblem(client.apiPost("/api/v1/leases", "{not json"), 400).get("detail").asString())
                .startsWith("the body is not valid JSON");
        assertThat(assertProblem(client.apiPost("/api/v1/leases", "{"), 400).get("detail").asString())
                .as("the parser's words and where, not its internals").startsWith("the body is not valid JSON: Unexpected end-of-input")
                .contains("(line 1, column").doesNotContain("Source").doesNotContain("StreamReadFeature");
        assertThat(assertProblem(client.apiPost("/api/v1/leases", "[1]"), 400).get("detail").asString())
                .isEqualTo("the body must be a JSON object");
        assertThat(pool.status().counts().free()).isEqualTo(TOTAL);
    }

    @Test
    void validationErrorsNameTheFieldWhatIsAllowedAndWhatWasSent() {
        JsonNode ttl = assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"ttlSeconds\":0}"), 400);
        assertThat(ttl.get("detail").asString()).isEqualTo("ttlSeconds must be between 1 and 86400 (was 0)");
        assertThat(ttl.get("errors")).hasSize(1);
        assertThat(ttl.get("errors").get(0).get("field").asString()).isEqualTo("ttlSeconds");
        assertThat(ttl.get("errors").get(0).get("message").asString()).isEqualTo("must be between 1 and 86400");
        assertThat(ttl.get("errors").get(0).get("rejected").asInt()).isZero();

        JsonNode two = assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"waitSeconds\":3601,\"ttlSeconds\":0}"), 400);
        assertThat(two.get("detail").asString())
                .isEqualTo("ttlSeconds must be between 1 and 86400 (was 0); waitSeconds must be between 0 and 3600 (was 3601)");
        assertThat(two.get("errors")).hasSize(2);

        assertThat(detail(client.apiPost("/api/v1/leases", "{}"))).isEqualTo("marker must be given and not blank");
        assertThat(detail(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"waitSeconds\":\"soon\"}")))
                .isEqualTo("waitSeconds must be a whole number (was \"soon\")");
        assertThat(detail(client.apiPost("/api/v1/leases", "{\"marker\":[\"x\"]}"))).isEqualTo("marker must be a string");
        assertThat(detail(client.apiPost("/api/v1/leases", "{\"marker\":\"x\",\"ttlSeconds\":99999999999}")))
                .startsWith("ttlSeconds is out of range: it must be a whole number from ").doesNotContain("Numeric value");

        JsonNode longMarker = assertProblem(client.apiPost("/api/v1/leases", "{\"marker\":\"" + "m".repeat(1001) + "\"}"), 400);
        assertThat(longMarker.get("detail").asString()).isEqualTo("marker must be at most 1000 characters long (was 1001 characters long)");
        assertThat(longMarker.get("errors").get(0).has("rejected")).as("a long value is not echoed back").isFalse();
        assertThat(client.apiPost("/api/v1/leases", "{\"marker\":\"" + "m".repeat(1000) + "\"}").status()).isEqualTo(201);
        pool.releaseAll();

        assertThat(detail(client.apiPost("/api/v1/force-release", "{\"database\":\"tester1\",\"port\":70000}")))
                .isEqualTo("port must be between 1 and 65535 (was 70000)");
        assertThat(detail(client.apiPost("/api/v1/leases/x/extend", "{\"ttlSeconds\":86401}")))
                .isEqualTo("ttlSeconds must be between 1 and 86400 (was 86401)");

        JsonNode lines = assertProblem(client.apiGet("/api/v1/instances/1/logs?lines=0"), 400);
        assertThat(lines.get("detail").asString()).isEqualTo("lines must be between 1 and 10000 (was 0)");
        assertThat(lines.get("errors").get(0).get("field").asString()).isEqualTo("lines");
        assertThat(detail(client.apiGet("/api/v1/instances/1/logs?lines=many"))).isEqualTo("lines must be a whole number (was \"many\")");
        assertThat(detail(client.apiGet("/api/v1/instances/1/logs?all=perhaps"))).isEqualTo("all must be true or false (was \"perhaps\")");
        JsonNode index = assertProblem(client.apiGet("/api/v1/instances/abc/logs"), 400);
        assertThat(index.get("detail").asString()).isEqualTo("index must be a whole number (was \"abc\")");
        assertThat(index.get("errors").get(0).get("rejected").asString()).isEqualTo("abc");
        assertThat(pool.status().counts().free()).isEqualTo(TOTAL);
    }

    private static String detail(LockServiceClient.Response response) {
        return assertProblem(response, 400).get("detail").asString();
    }

    private static JsonNode assertProblem(LockServiceClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        assertThat(response.body().toLowerCase(Locale.ROOT)).doesNotContain("<html");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
        return problem;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * One HTTP/1.0 request written as is (java.net.http refuses malformed targets such as {@code %zz}),
     * with the API password; the answer is read to the end of the connection.
     */
    private static LockServiceClient.Response raw(int port, String requestLine, String extraHeaders) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + PASSWORD + "\r\n"
                    + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer;
            try {
                answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.net.SocketException reset) {
                throw new AssertionError("the connection was reset instead of answered: " + requestLine.substring(0, 40), reset);
            }
            int headEnd = answer.indexOf("\r\n\r\n");
            assertThat(headEnd).as(answer).isPositive();
            String head = answer.substring(0, headEnd);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            String contentType = head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-type:"))
                    .map(l -> l.substring("content-type:".length()).strip()).findFirst().orElse("");
            return new LockServiceClient.Response(status, contentType, answer.substring(headEnd + 4));
        }
    }
}
