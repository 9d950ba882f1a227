package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lock pool page in a real headless Chromium, with lock-service running on the embedded default
 * in a process of its own: the browser logs in (with the lock service's password, web-ui's default),
 * the page loads with the pool, a lease taken over the API appears without a
 * reload, force-release from the page frees it, lock-service going away shows as down, and its return
 * is picked up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static LockServiceProcess lock;
    static Path migrations;
    static Chromium chromium;
    static WebDriver browser;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        Chromium.requirements();
        migrations = Files.createTempDirectory("pgcorral-ui-migrations");
        Files.writeString(migrations.resolve("V1__orders.sql"), "CREATE TABLE orders (id int);\n");
        lock = new LockServiceProcess(1, 3, migrations);
        lock.start();
        lock.register(registry, "lock", "lock");
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        chromium = Chromium.open(1280, 1000);
        browser = chromium.driver;
    }

    @AfterAll
    static void closeAll() throws Exception {
        Chromium.closeAll(chromium, lock);
        if (migrations != null) {
            try (var files = Files.walk(migrations)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void openPoolPage() throws Exception {
        chromium.open("http://127.0.0.1:" + port, "/services/lock", "pgflock"); // web-ui's password defaults to the lock service's
        waitUntil(Duration.ofSeconds(10), () -> "up".equals(text("service-state")) && "3".equals(text("count-total")));
    }

    @AfterEach
    void releaseAll() {
        api("POST", "/api/v1/release-all", "");
    }

    @Test
    @Order(1)
    void thePageShowsThePool() throws Exception {
        assertThat(text("count-free")).isEqualTo("3");
        assertThat(text("pool-status")).isEqualTo("ok");
        assertThat(text("runtime")).isEqualTo("local");
        assertThat(browser.findElements(By.cssSelector("#databases tr"))).hasSize(3);
        assertThat(browser.findElements(By.cssSelector("#instances tr"))).hasSize(1);
        assertThat(browser.getPageSource()).doesNotContain("pgflock");
    }

    @Test
    @Order(2)
    void aLeaseTakenOverTheApiAppearsWithinASecond() throws Exception {
        JsonNode lease = JSON.readTree(api("POST", "/api/v1/leases", "{\"marker\":\"SeleniumLease\"}"));
        long taken = System.nanoTime();
        waitUntil(Duration.ofSeconds(1), () -> row("SeleniumLease") != null);
        assertThat(Duration.ofNanos(System.nanoTime() - taken)).isLessThan(Duration.ofSeconds(1));
        WebElement row = row("SeleniumLease");
        assertThat(row.getAttribute("data-database")).isEqualTo(lease.get("database").asString());
        assertThat(row.getAttribute("data-state")).isEqualTo("LOCKED");
        assertThat(text("count-locked")).isEqualTo("1");
        assertThat(row.findElement(By.cssSelector(".copy-psql")).getAttribute("data-command"))
                .isEqualTo("psql \"postgresql://tester@127.0.0.1:" + lease.get("port").asInt() + "/" + lease.get("database").asString() + "\"");
        waitUntil(Duration.ofSeconds(3), () -> row("SeleniumLease").findElement(By.cssSelector(".held")).getText().matches("[1-9]s"));
        screenshot("lock-pool.png");

        browser.findElement(By.id("toggle-locked")).click();
        assertThat(browser.findElements(By.cssSelector("#databases tr"))).hasSize(1);
        browser.findElement(By.id("toggle-locked")).click();
        assertThat(browser.findElements(By.cssSelector("#databases tr"))).hasSize(3);
    }

    @Test
    @Order(3)
    void forceReleaseFromThePageFreesTheDatabase() {
        JsonNode lease = JSON.readTree(api("POST", "/api/v1/leases", "{\"marker\":\"ToBeFreed\"}"));
        waitUntil(Duration.ofSeconds(2), () -> row("ToBeFreed") != null);
        row("ToBeFreed").findElement(By.cssSelector(".force-release")).click();
        new WebDriverWait(browser, Duration.ofSeconds(2)).until(ExpectedConditions.alertIsPresent()).accept();
        await().atMost(Duration.ofSeconds(3)).until(() -> api("GET", "/api/v1/leases/" + lease.get("id").asString(), null)
                .contains("force-released"));
        waitUntil(Duration.ofSeconds(2), () -> row("ToBeFreed") == null);
    }

    @Test
    @Order(4)
    void theOverviewListsTheServiceAndBadActionsGetProblems() throws Exception {
        browser.get("http://127.0.0.1:" + port + "/");
        waitUntil(Duration.ofSeconds(5), () -> "up".equals(browser.findElement(By.cssSelector("#services [data-service-badge=lock]")).getText()));
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                + "/services/nope/actions/release-all")).header("Cookie", sessionCookie()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no lock service named 'nope'");
        HttpResponse<String> crossSiteForm = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/restart")).header("Cookie", sessionCookie()).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSiteForm.statusCode()).as("a form post cannot press a button").isEqualTo(415);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/force-release")).header("Cookie", sessionCookie()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"port\":0}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        HttpResponse<String> notLocked = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/force-release")).header("Cookie", sessionCookie()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"port\":1,\"database\":\"nope\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notLocked.statusCode()).isEqualTo(404);
        assertThat(notLocked.body()).contains("no database nope on port 1");
    }

    @Test
    @Order(6)
    void lockServiceGoingAwayShowsAsDownAndItsReturnIsPickedUp() throws Exception {
        lock.stop();
        waitUntil(Duration.ofSeconds(10), () -> "down".equals(text("service-state")));
        assertThat(browser.findElement(By.id("stale")).isDisplayed()).isTrue();
        assertThat(text("stale")).startsWith("lock is down: this page shows its last status, as of");
        browser.findElement(By.id("release-all")).click();
        new WebDriverWait(browser, Duration.ofSeconds(2)).until(ExpectedConditions.alertIsPresent()).accept();
        waitUntil(Duration.ofSeconds(5), () -> browser.findElement(By.id("error")).isDisplayed());
        assertThat(text("error-text")).contains("release-all failed").contains("not reachable");

        lock.start();
        waitUntil(Duration.ofSeconds(15), () -> "up".equals(text("service-state")) && "3".equals(text("count-free")));
        assertThat(browser.findElement(By.id("stale")).isDisplayed()).as("the page hears its service again").isFalse();
    }

    private String api(String method, String path, String body) {
        return lock.api(method, path, body);
    }

    /** The browser's logged-in session, for requests the test sends itself. */
    private static String sessionCookie() {
        return "JSESSIONID=" + browser.manage().getCookieNamed("JSESSIONID").getValue();
    }

    private static String text(String id) {
        return chromium.text(id);
    }

    @Test
    @Order(5)
    void aBrokenMigrationShowsAsDegradedWithItsErrorUntilFixed() throws Exception {
        String inUse = text("template-hash");
        Path broken = migrations.resolve("V2__broken.sql");
        Files.writeString(broken, "CREATE TABLE broken (;\n");
        try {
            waitUntil(Duration.ofSeconds(30), () -> "degraded".equals(text("pool-status"))
                    && browser.findElement(By.id("pending-template")).isDisplayed());
            assertThat(text("pending-template")).contains("could not be built").contains("syntax error").contains(inUse);
            assertThat(text("template-hash")).as("the template in use").isEqualTo(inUse);
            screenshot("broken-migration.png");
        } finally {
            Files.delete(broken);
        }
        waitUntil(Duration.ofSeconds(30), () -> "ok".equals(text("pool-status"))
                && !browser.findElement(By.id("pending-template")).isDisplayed());
    }

    private static WebElement row(String marker) {
        for (WebElement row : browser.findElements(By.cssSelector("#databases tr"))) {
            List<WebElement> cells = row.findElements(By.cssSelector(".marker"));
            if (!cells.isEmpty() && marker.equals(cells.get(0).getText())) {
                return row;
            }
        }
        return null;
    }

    private static void waitUntil(Duration timeout, java.util.concurrent.Callable<Boolean> condition) {
        chromium.waitUntil(timeout, condition);
    }

    private static void screenshot(String name) throws Exception {
        chromium.screenshot(name);
    }
}
