package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * web-ui opens only with its password: pages send a visitor to the login form, actions and the live
 * status refuse a request without a logged-in session; {@code /ws} takes no other site's origin; a
 * request for another host name (DNS rebinding) is refused; the replay and migration pages' actions check
 * what they are given before they call the service. The services it follows are not running: none of this
 * needs them, and those pages still open.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.ui.password=letmein-7f3a",
        "pgcorral.ui.services[0].name=lock", "pgcorral.ui.services[0].url=http://127.0.0.1:1",
        "pgcorral.ui.services[0].password=another-secret",
        "pgcorral.ui.services[1].name=replay", "pgcorral.ui.services[1].type=replay", "pgcorral.ui.services[1].url=http://127.0.0.1:1",
        "pgcorral.ui.services[1].password=replay-secret",
        "pgcorral.ui.services[2].name=migration", "pgcorral.ui.services[2].type=migration", "pgcorral.ui.services[2].url=http://127.0.0.1:1",
        "pgcorral.ui.services[2].password=migration-secret"})
@ExtendWith(OutputCaptureExtension.class)
class WebUiSecurityTest {

    static final String PASSWORD = "letmein-7f3a";

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    @Test
    void aPageWithoutLoginRedirectsToTheLoginForm() throws Exception {
        HttpResponse<String> page = get("/services/lock", null);
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?next=%2Fservices%2Flock"));
        assertThat(get("/", null).statusCode()).isEqualTo(302);
        assertThat(get("/ui.js", null).statusCode()).isEqualTo(302);

        HttpResponse<String> form = get("/login?next=%2Fservices%2Flock", null);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("type=\"password\"").contains("value=\"/services/lock\"");
        assertThat(get("/ui.css", null).statusCode()).as("the login page's style sheet").isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(url("/actuator/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("the health check").isEqualTo(200);
    }

    @Test
    void aWrongPasswordIsRefused(CapturedOutput output) throws Exception {
        HttpResponse<String> refused = logIn("not-it", "/services/lock");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("Wrong password");
        String cookie = cookie(refused);
        assertThat(get("/services/lock", cookie).statusCode()).isEqualTo(302);
        assertThat(logIn("another-secret", "/").statusCode()).as("the service's password is not web-ui's when web-ui has its own")
                .isEqualTo(401);
        assertThat(logIn(PASSWORD, "/").statusCode()).isEqualTo(302);
        assertThat(output.getAll()).doesNotContain(PASSWORD).doesNotContain("not-it");
    }

    @Test
    void theRightPasswordOpensTheDashboardAndReturnsToThePageAskedFor() throws Exception {
        HttpResponse<String> in = logIn(PASSWORD, "/services/lock");
        assertThat(in.statusCode()).isEqualTo(302);
        assertThat(in.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/services/lock"));
        assertThat(in.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).contains("HttpOnly").containsIgnoringCase("SameSite=Lax"));
        String session = cookie(in);
        HttpResponse<String> page = get("/services/lock", session);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.body()).doesNotContain(PASSWORD).doesNotContain("another-secret");

        assertThat(logIn(PASSWORD, "//evil.example/").headers().firstValue("Location"))
                .as("only a path on web-ui is a place to return to").hasValueSatisfying(l -> assertThat(l).doesNotContain("evil"));

        HttpResponse<String> out = http.send(HttpRequest.newBuilder(url("/logout")).header("Cookie", session)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(get("/services/lock", session).statusCode()).as("logged out").isEqualTo(302);
    }

    @Test
    void anActionWithoutASessionIsRefused() throws Exception {
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(url("/services/lock/actions/release-all"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(refused.body()).contains("log in");
    }

    @Test
    void theReplayPageOpensWhileItsServiceIsDownAndItsActionsCheckTheirInput() throws Exception {
        String session = cookie(logIn(PASSWORD, "/services/replay"));
        HttpResponse<String> page = get("/services/replay", session);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-page=\"replay\"").doesNotContain("replay-secret");
        String sessionPath = "/services/replay/actions/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301";

        HttpResponse<String> down = action("GET", sessionPath + "/checkpoints", null, "application/json", session);
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.body()).contains("not reachable").doesNotContain("replay-secret");
        assertThat(action("GET", sessionPath + "/changes?operation=DROP", null, "application/json", session).statusCode()).isEqualTo(400);
        assertThat(action("GET", sessionPath + "/changes?size=100000", null, "application/json", session).statusCode()).isEqualTo(400);
        assertThat(action("GET", "/services/replay/actions/sessions/not-a-uuid/checkpoints", null, "application/json", session)
                .statusCode()).isEqualTo(400);
        assertThat(action("POST", sessionPath + "/restores", "{\"checkpointId\":\"../../restart\"}", "application/json", session)
                .statusCode()).isEqualTo(400);
        assertThat(action("POST", sessionPath + "/compare", "against=source", "application/x-www-form-urlencoded", session)
                .statusCode()).as("a form post cannot press a button").isEqualTo(415);
        assertThat(action("POST", sessionPath + "/compare", "{\"against\":\"source\"}", "application/json", null).statusCode())
                .as("no session").isEqualTo(401);
        HttpResponse<String> notReplay = action("GET", "/services/lock/actions/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/checkpoints",
                null, "application/json", session);
        assertThat(notReplay.statusCode()).isEqualTo(404);
        assertThat(notReplay.body()).contains("no replay service named 'lock'");
    }

    @Test
    void theMigrationPageOpensWhileItsServiceIsDownAndItsActionsCheckTheirInput() throws Exception {
        String session = cookie(logIn(PASSWORD, "/services/migration"));
        HttpResponse<String> page = get("/services/migration", session);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-page=\"migration\"").contains("/migration.js").doesNotContain("migration-secret");
        String actions = "/services/migration/actions";

        HttpResponse<String> down = action("GET", actions + "/clusters", null, "application/json", session);
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.body()).contains("not reachable").doesNotContain("migration-secret")
                .as("the JDK's connect error has no message of its own").doesNotContain("reachable: null");
        HttpResponse<String> badPort = action("POST", actions + "/clusters", "{\"name\":\"a\",\"host\":\"db\",\"port\":0,"
                + "\"password\":\"node-secret-5e1f\"}", "application/json", session);
        assertThat(badPort.statusCode()).isEqualTo(400);
        assertThat(badPort.body()).as("a refused form is not echoed").doesNotContain("node-secret-5e1f");
        assertThat(action("POST", actions + "/clusters", "{\"name\":\"a\",\"host\":\"db/x\",\"port\":5432}", "application/json", session)
                .statusCode()).isEqualTo(400);
        String migration = "{\"id\":\"%s\",\"name\":\"m\",\"sourceClusterId\":\"cl_1\",\"sourceNodeId\":\"nd_1\","
                + "\"destClusterId\":\"embedded\",\"mode\":\"%s\",\"copyWorkers\":%d}";
        assertThat(action("POST", actions + "/migrations", migration.formatted("../start", "clone_only", 4), "application/json", session)
                .statusCode()).isEqualTo(400);
        assertThat(action("POST", actions + "/migrations", migration.formatted("m1", "everything", 4), "application/json", session)
                .statusCode()).isEqualTo(400);
        assertThat(action("POST", actions + "/migrations", migration.formatted("m1", "clone_only", 1000), "application/json", session)
                .statusCode()).isEqualTo(400);
        assertThat(action("POST", actions + "/migrations", migration.formatted("m1", "clone_only", 4), "application/json", session)
                .statusCode()).as("well-formed: passed on to the service, which is down").isEqualTo(502);
        assertThat(action("POST", actions + "/migrations/m1/switchover", "{\"timeoutSec\":0}", "application/json", session).statusCode())
                .isEqualTo(400);
        assertThat(action("POST", actions + "/migrations/m1/switchover", "{\"timeoutSec\":3601}", "application/json", session).statusCode())
                .isEqualTo(400);
        assertThat(action("POST", actions + "/migrations/m1/switchover", "{}", "application/json", session).statusCode())
                .as("well-formed: passed on to the service, which is down").isEqualTo(502);
        assertThat(action("GET", actions + "/clusters/cl_1/test-connection?node=a%2Fb", null, "application/json", session).statusCode())
                .isEqualTo(400);
        assertThat(action("POST", actions + "/migrations/m1/start", "", "application/x-www-form-urlencoded", session).statusCode())
                .as("a form post cannot press a button").isEqualTo(415);
        assertThat(action("POST", actions + "/migrations/m1/delete", "{\"force\":true}", "application/json", null).statusCode())
                .as("no session").isEqualTo(401);
        HttpResponse<String> notMigration = action("GET", "/services/replay/actions/clusters", null, "application/json", session);
        assertThat(notMigration.statusCode()).isEqualTo(404);
        assertThat(notMigration.body()).contains("no migration service named 'replay'");
    }

    /**
     * A body the action would have to guess at is refused before the service is called (it is down: a call would be a
     * 502): an unknown key, a whole number written with a fraction, a string for a number or a boolean, a number for a
     * string. The problem document names the field and says what was wrong.
     */
    @Test
    void anActionRefusesKeysItDoesNotTakeAndValuesOfAnotherType() throws Exception {
        String session = cookie(logIn(PASSWORD, "/services/migration"));
        String migration = "/services/migration/actions/migrations/m1";

        HttpResponse<String> unknown = action("POST", migration + "/switchover", "{\"timeout_sec\":\"x\"}", "application/json", session);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(unknown.body()).contains("\"field\":\"timeout_sec\"").contains("timeout_sec is not a key of this call")
                .contains("it takes timeoutSec");
        HttpResponse<String> fraction = action("POST", migration + "/switchover", "{\"timeoutSec\":1.5}", "application/json", session);
        assertThat(fraction.statusCode()).as("not rounded down to 1").isEqualTo(400);
        assertThat(fraction.body()).contains("timeoutSec must be a whole number (was 1.5)");
        HttpResponse<String> exponent = action("POST", migration + "/switchover", "{\"timeoutSec\":1e2}", "application/json", session);
        assertThat(exponent.statusCode()).isEqualTo(400);
        assertThat(exponent.body()).contains("timeoutSec must be a whole number written without a fraction or an exponent");
        HttpResponse<String> text = action("POST", migration + "/switchover", "{\"timeoutSec\":\"60\"}", "application/json", session);
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(text.body()).contains("timeoutSec must be a whole number");
        assertThat(action("POST", migration + "/switchover", "{\"timeoutSec\":60}", "application/json", session).statusCode())
                .as("well-formed: passed on to the service, which is down").isEqualTo(502);

        HttpResponse<String> snake = action("POST", migration + "/stop", "{\"keep_slot\":true}", "application/json", session);
        assertThat(snake.statusCode()).isEqualTo(400);
        assertThat(snake.body()).contains("keep_slot is not a key of this call").contains("it takes keepSlot")
                .doesNotContain("keepSlot must be true or false");
        assertThat(action("POST", migration + "/stop", "{\"keepslot\":true,\"keepSlot\":false}", "application/json", session).body())
                .contains("keepslot is not a key of this call");
        HttpResponse<String> quoted = action("POST", migration + "/delete", "{\"force\":\"true\",\"keepSlot\":false}", "application/json", session);
        assertThat(quoted.statusCode()).isEqualTo(400);
        assertThat(quoted.body()).contains("force must be true or false");
        assertThat(action("POST", migration + "/delete", "{\"force\":1,\"keepSlot\":false}", "application/json", session).statusCode())
                .isEqualTo(400);
        HttpResponse<String> missing = action("POST", migration + "/stop", "{}", "application/json", session);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("keepSlot must be true or false");
        assertThat(action("POST", migration + "/stop", "{\"keepSlot\":false}", "application/json", session).statusCode())
                .as("well-formed").isEqualTo(502);
        HttpResponse<String> noBody = action("POST", migration + "/start", "{\"keepSlot\":true}", "application/json", session);
        assertThat(noBody.statusCode()).as("an action without a body takes no keys").isEqualTo(400);
        assertThat(noBody.body()).contains("keepSlot is not a key of this call, which takes none");
        assertThat(action("POST", migration + "/start", "{}", "application/json", session).statusCode()).as("well-formed").isEqualTo(502);

        HttpResponse<String> quotedPort = action("POST", "/services/migration/actions/clusters",
                "{\"name\":\"a\",\"host\":\"db\",\"port\":\"5432\"}", "application/json", session);
        assertThat(quotedPort.statusCode()).isEqualTo(400);
        assertThat(quotedPort.body()).contains("port must be a whole number");
        assertThat(action("POST", "/services/migration/actions/clusters", "{\"name\":12,\"host\":\"db\",\"port\":5432}",
                "application/json", session).body()).contains("name must be a string");
        assertThat(action("POST", "/services/replay/actions/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/compare",
                "{\"against\":\"source\",\"table\":\"t\"}", "application/json", session).body())
                .contains("table is not a key of this call").contains("it takes against");
        assertThat(action("POST", "/services/lock/actions/force-release", "{\"port\":5432.5,\"database\":\"d\"}", "application/json", session)
                .body()).contains("port must be a whole number (was 5432.5)");
        assertThat(action("POST", "/services/lock/actions/release-all", "{\"marker\":\"m\"}", "application/json", session).statusCode())
                .isEqualTo(400);
        assertThat(action("POST", "/services/lock/actions/release-all", "{}", "application/json", session).statusCode())
                .as("well-formed").isEqualTo(502);
    }

    /** A path Tomcat refuses before web-ui sees it (%2F, invalid UTF-8, %00) is a problem document, not Tomcat's HTML page. */
    @Test
    void aMalformedPathIsAProblemDocument() throws Exception {
        String session = cookie(logIn(PASSWORD, "/"));
        for (String path : new String[] {"/services/migration/actions/migrations/a%2Fb", "/services/migration/actions/migrations/%ff",
                "/services/migration/actions/migrations/a%00", "/services/a%2Fb"}) {
            HttpResponse<String> refused = get(path, session);
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type")).as(path)
                    .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            assertThat(refused.body()).as(path).contains("\"status\":400").contains("%-encoded")
                    .doesNotContain("<html").doesNotContain("Tomcat");
        }
    }

    @Test
    void theLiveStatusNeedsTheSessionAndWebUisOwnOrigin() throws Exception {
        String session = cookie(logIn(PASSWORD, "/"));
        String self = "http://127.0.0.1:" + port;
        assertThat(upgrade("127.0.0.1:" + port, self, null)).as("no session").startsWith("HTTP/1.1 401");
        assertThat(upgrade("127.0.0.1:" + port, "http://evil.example", session)).as("another site").startsWith("HTTP/1.1 403");
        assertThat(upgrade("127.0.0.1:" + port, self, session)).startsWith("HTTP/1.1 101");
    }

    @Test
    void aForgedHostIsRefused() throws Exception {
        assertThat(rawGet("evil.example")).startsWith("HTTP/1.1 421");
        assertThat(rawGet("evil.example:" + port)).startsWith("HTTP/1.1 421");
        assertThat(rawGet("localhost:" + port)).startsWith("HTTP/1.1 302");
        assertThat(rawGet("[::1]:" + port)).startsWith("HTTP/1.1 302");
        String session = cookie(logIn(PASSWORD, "/"));
        assertThat(upgrade("evil.example:" + port, "http://evil.example:" + port, session)).startsWith("HTTP/1.1 421");
    }

    private HttpResponse<String> logIn(String password, String next) throws Exception {
        String form = "password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "&next=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(url("/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).header("Accept", "text/html");
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> action(String method, String path, String body, String contentType, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).header("Content-Type", contentType)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> response) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElse(null);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A WebSocket handshake for /ws as a browser sends it; answers the status line. */
    private String upgrade(String host, String origin, String cookie) throws IOException {
        return statusLine("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n"
                + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "\r\n");
    }

    /** A plain GET / with the given Host header, which an HTTP client would not let a test forge. */
    private String rawGet(String host) throws IOException {
        return statusLine("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    }

    private String statusLine(String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
