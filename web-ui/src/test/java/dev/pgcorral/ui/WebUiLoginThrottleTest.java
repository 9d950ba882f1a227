package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Guessing the password: after ten wrong ones an address is refused (429, Retry-After), the right one included. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.ui.password=letmein-7f3a",
        "pgcorral.ui.services[0].name=lock", "pgcorral.ui.services[0].url=http://127.0.0.1:1"})
class WebUiLoginThrottleTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tenWrongPasswordsBlockTheAddressForAWhile() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(logIn("guess-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> blocked = logIn("letmein-7f3a");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 301L));
        assertThat(blocked.body()).contains("Too many wrong passwords");
    }

    private HttpResponse<String> logIn(String password) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=/"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
