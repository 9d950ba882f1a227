package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pool page for a pool of 400 databases (2 servers x 200) whose leases carry the longest marker
 * lock-service accepts (1,000 characters, in a script that takes 3 bytes a character), so each status
 * snapshot is over 1 MB: web-ui relays it and the page shows it, live.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "pgcorral.ui.password=open-sesame")
class DashboardLargePoolTest {

    static final int INSTANCES = 2;
    static final int PER_INSTANCE = 200;
    static final int TOTAL = INSTANCES * PER_INSTANCE;
    static final int MARKER_LENGTH = 1000;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static LockServiceProcess lock;
    static Chromium chromium;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        Chromium.requirements();
        lock = new LockServiceProcess(INSTANCES, PER_INSTANCE);
        lock.start();
        lock.register(registry, "lock", "lock");
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        chromium = Chromium.open(1400, 1100);
    }

    @AfterAll
    static void closeAll() throws Exception {
        Chromium.closeAll(chromium, lock);
    }

    /** A marker of exactly the longest accepted length, unique by its end; Georgian takes 3 bytes a character. */
    static String marker(String tag) {
        return "ტესტი-".repeat(MARKER_LENGTH).substring(0, MARKER_LENGTH - tag.length()) + tag;
    }

    @Test
    void aPoolOf400DatabasesWithLongMarkersShowsLive() throws Exception {
        leaseInParallel(TOTAL - 1);
        int snapshotBytes = api("GET", "/api/v1/status", null).getBytes(StandardCharsets.UTF_8).length;
        assertThat(snapshotBytes).as("the status snapshot is over 1 MB").isGreaterThan(1024 * 1024);

        chromium.logIn("http://127.0.0.1:" + port, "/services/lock", "open-sesame");
        chromium.waitUntil(Duration.ofSeconds(20), () -> "up".equals(chromium.text("service-state"))
                && String.valueOf(TOTAL - 1).equals(chromium.text("count-locked")));
        assertThat(chromium.text("count-total")).isEqualTo(String.valueOf(TOTAL));
        assertThat(chromium.driver.findElements(By.cssSelector("#databases tr"))).hasSize(TOTAL);
        assertThat(chromium.driver.findElements(By.cssSelector("#databases tr[data-state=LOCKED]"))).hasSize(TOTAL - 1);
        assertThat(chromium.driver.findElement(By.id("databases-empty")).isDisplayed()).isFalse();
        assertThat(chromium.driver.findElement(By.id("waiters-empty")).getText()).isEqualTo("no one waiting");

        String last = marker("last-one");
        JsonNode lease = JSON.readTree(api("POST", "/api/v1/leases", JSON.writeValueAsString(java.util.Map.of("marker", last))));
        chromium.waitUntil(Duration.ofSeconds(5), () -> String.valueOf(TOTAL).equals(chromium.text("count-locked")));
        WebElement row = chromium.driver.findElement(By.cssSelector("#databases tr[data-database='"
                + lease.get("database").asString() + "'][data-port='" + lease.get("port").asInt() + "']"));
        assertThat(row.getAttribute("data-state")).isEqualTo("LOCKED");
        assertThat(row.findElement(By.cssSelector(".marker div")).getAttribute("title")).isEqualTo(last);
        // the charts draw from the snapshots the page has seen: wait for the next frames rather than assume them
        chromium.waitUntil(Duration.ofSeconds(10), () -> coloredPixels("wait-chart", 0x31, 0x82, 0xce) > 0);
        chromium.waitUntil(Duration.ofSeconds(10), () -> coloredPixels("rate-chart", 0x2f, 0x85, 0x5a) > 0);
        chromium.screenshot("lock-pool-400.png");

        api("POST", "/api/v1/release-all", "{}");
        chromium.driver.findElement(By.id("toggle-locked")).click();
        chromium.waitUntil(Duration.ofSeconds(10), () -> "0".equals(chromium.text("count-locked"))
                && chromium.driver.findElements(By.cssSelector("#databases tr")).isEmpty());
        assertThat(chromium.text("databases-empty")).isEqualTo("no databases locked");
        chromium.driver.findElement(By.id("toggle-locked")).click();
        assertThat(chromium.driver.findElements(By.cssSelector("#databases tr"))).hasSize(TOTAL);
    }

    /** How many pixels of a canvas are (nearly) the given colour. */
    private long coloredPixels(String canvas, int r, int g, int b) {
        Object n = ((JavascriptExecutor) chromium.driver).executeScript(
                "const c = document.getElementById(arguments[0]); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "let n = 0; for (let i = 0; i < d.length; i += 4) {"
                        + " if (d[i + 3] > 200 && Math.abs(d[i] - arguments[1]) < 24 && Math.abs(d[i + 1] - arguments[2]) < 24"
                        + " && Math.abs(d[i + 2] - arguments[3]) < 24) n++; } return n;", canvas, r, g, b);
        return ((Number) n).longValue();
    }

    private void leaseInParallel(int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = JSON.writeValueAsString(java.util.Map.of("marker", marker("lease-" + i)));
                answers.add(pool.submit(() -> api("POST", "/api/v1/leases", body)));
            }
            for (Future<String> answer : answers) {
                assertThat(answer.get()).contains("\"database\"");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private String api(String method, String path, String body) {
        return lock.api(method, path, body);
    }
}
