package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
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
 * in a process of its own: the page loads with the pool, a lease taken over the API appears without a
 * reload, force-release from the page frees it, lock-service going away shows as down, and its return
 * is picked up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static LockServiceProcess lock;
    static WebDriver browser;
    static Path profile;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        requirements();
        lock = new LockServiceProcess();
        lock.start();
        registry.add("pgcorral.ui.services[0].name", () -> "lock");
        registry.add("pgcorral.ui.services[0].type", () -> "lock");
        registry.add("pgcorral.ui.services[0].url", () -> lock.url().toString());
        registry.add("pgcorral.ui.services[0].password", () -> "pgflock");
    }

    static void requirements() {
        String missing = !Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)
                ? "chromium and chromium-driver (apt-get install chromium chromium-driver)"
                : !LockServiceProcess.available() ? "the lock-service jar (./mvnw package)" : null;
        if (missing != null) {
            if (System.getenv("CI") != null) {
                fail("browser tests need " + missing);
            }
            Assumptions.abort("browser tests need " + missing);
        }
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (lock != null) {
            lock.close();
        }
    }

    @BeforeEach
    void openPoolPage() {
        browser.get("http://127.0.0.1:" + port + "/services/lock");
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
                + "/services/nope/actions/release-all")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no lock service named 'nope'");
        HttpResponse<String> crossSiteForm = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/restart")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(crossSiteForm.statusCode()).as("a form post cannot press a button").isEqualTo(415);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/force-release")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"port\":0}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        HttpResponse<String> notLocked = http.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                        + "/services/lock/actions/force-release")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"port\":1,\"database\":\"nope\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notLocked.statusCode()).isEqualTo(404);
        assertThat(notLocked.body()).contains("no database nope on port 1");
    }

    @Test
    @Order(5)
    void lockServiceGoingAwayShowsAsDownAndItsReturnIsPickedUp() throws Exception {
        lock.stop();
        waitUntil(Duration.ofSeconds(10), () -> "down".equals(text("service-state")));
        browser.findElement(By.id("release-all")).click();
        new WebDriverWait(browser, Duration.ofSeconds(2)).until(ExpectedConditions.alertIsPresent()).accept();
        waitUntil(Duration.ofSeconds(5), () -> browser.findElement(By.id("error")).isDisplayed());
        assertThat(text("error-text")).contains("release-all failed").contains("not reachable");

        lock.start();
        waitUntil(Duration.ofSeconds(15), () -> "up".equals(text("service-state")) && "3".equals(text("count-free")));
    }

    private String api(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(lock.url().resolve(path))
                    .header("Authorization", "Bearer pgflock").header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "unreachable: " + e;
        }
    }

    private static String text(String id) {
        List<WebElement> found = browser.findElements(By.id(id));
        return found.isEmpty() ? null : found.get(0).getText();
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
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "screenshots", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
