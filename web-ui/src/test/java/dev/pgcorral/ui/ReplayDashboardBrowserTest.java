package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The replay page in headless Chromium against a real replay-service: session, change log, checkpoints, restores, compare, outage. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pgcorral.ui.password=" + ReplayDashboardBrowserTest.UI_PASSWORD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayDashboardBrowserTest {

    static final String UI_PASSWORD = "ui-for-replay";
    static final String REPLAY_PASSWORD = "replay-secret-7c1e";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static ReplayServiceProcess replay;
    static String session;
    static String target;
    static Chromium chromium;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        Chromium.requirements("replay-service", ReplayServiceProcess.available());
        replay = new ReplayServiceProcess(REPLAY_PASSWORD);
        replay.start();
        sql("source", "CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, qty int)", "INSERT INTO orders VALUES (1, 'apple', 3)");
        JsonNode created = JSON.readTree(replay.api("POST", "/api/v1/sessions", "{\"name\":\"shop\"}"));
        assertThat(created.has("id")).as("a session: %s", created).isTrue();
        session = created.get("id").asString();
        target = created.get("targetDatabase").asString();
        replay.register(registry, "replay", "replay");
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        chromium = Chromium.open(1280, 1400);
    }

    @AfterAll
    static void closeAll() throws Exception {
        Chromium.closeAll(chromium, replay);
    }

    @BeforeEach
    void openReplayPage() throws Exception {
        chromium.open("http://127.0.0.1:" + port, "/services/replay", UI_PASSWORD);
        waitFor(Duration.ofSeconds(30), d -> "CAPTURING".equals(sessionRow().getAttribute("data-state")));
    }

    @Test
    @Order(1)
    void thePageShowsTheSessionItsStateAndItsCheckpoints() throws Exception {
        WebElement row = sessionRow();
        assertThat(row.findElement(By.cssSelector(".name")).getText()).startsWith("shop");
        assertThat(row.findElement(By.cssSelector(".database")).getText()).isEqualTo("source");
        assertThat(row.findElement(By.cssSelector(".state")).getText()).startsWith("capturing");
        assertThat(row.findElement(By.cssSelector(".lag-bytes")).getText()).matches("\\d+(\\.\\d)? (B|KiB|MiB)");
        assertThat(row.findElement(By.cssSelector(".lag-seconds")).getText()).matches("\\d+\\.\\d");
        assertThat(row.findElement(By.cssSelector(".rate")).getText()).matches("\\d+\\.\\d");
        assertThat(text("service-state")).isEqualTo("up");
        waitFor(Duration.ofSeconds(10), d -> !checkpoints().isEmpty());
        assertThat(checkpoints().get(0).getAttribute("data-kind")).as("the fixed checkpoint first").isEqualTo("CREATION");
        assertThat(browser().getPageSource()).doesNotContain(REPLAY_PASSWORD);
        chromium.screenshot("replay-session.png");
    }

    @Test
    @Order(2)
    void aChangeOnTheSourceShowsInTheChangeLogUnderItsColumnNames() throws Exception {
        sql("source", "INSERT INTO orders VALUES (2, 'banana', 5)");
        WebElement change = waitFor(Duration.ofSeconds(10), d -> change("INSERT", "banana"));
        List<String> header = new ArrayList<>();
        change.findElements(By.cssSelector("table.values thead th")).forEach(th -> header.add(th.getText()));
        assertThat(header).containsSubsequence("id", "item", "qty");
        assertThat(change.findElement(By.cssSelector("td[data-column=id]")).getText()).isEqualTo("2");
        assertThat(change.findElement(By.cssSelector("td[data-column=qty]")).getText()).isEqualTo("5");
        assertThat(change.getAttribute("data-table")).isEqualTo("public.orders");
        chromium.screenshot("replay-change-log.png");

        new Select(browser().findElement(By.id("changes-operation"))).selectByValue("DELETE");
        waitFor(Duration.ofSeconds(5), d -> browser().findElement(By.id("changes-empty")).isDisplayed());
        new Select(browser().findElement(By.id("changes-operation"))).selectByValue("");
        waitFor(Duration.ofSeconds(5), d -> change("INSERT", "banana"));
    }

    @Test
    @Order(3)
    void aCheckpointCreatedFromThePageJoinsTheTimeline() {
        browser().findElement(By.id("checkpoint-name")).sendKeys("after banana");
        browser().findElement(By.id("checkpoint-description")).sendKeys("two orders <b>not bold</b>");
        browser().findElement(By.id("create-checkpoint")).click();
        WebElement item = shown("after banana");
        assertThat(item.findElement(By.cssSelector(".description")).getText()).as("shown as text").isEqualTo("two orders <b>not bold</b>");
        assertThat(checkpoints().get(0).getAttribute("data-kind")).isEqualTo("CREATION");
        assertThat(browser().findElement(By.id("checkpoint-name")).getAttribute("value")).isEmpty();
    }

    @Test
    @Order(4)
    void restoresFromThePageShowTheirResultAndMoveTheTarget() throws Exception {
        restoreTo("after banana");
        assertThat(targetItems()).containsExactly("apple", "banana");

        String result = restoreTo("Creation");
        assertThat(result).matches("done: (\\d+) of \\1 entries applied.*");
        assertThat(targetItems()).as("the target is back where the session began").containsExactly("apple");
        waitFor(Duration.ofSeconds(5), d -> checkpoint("Creation").findElement(By.cssSelector(".target-here")).isDisplayed());
        chromium.screenshot("replay-restored.png");
    }

    @Test
    @Order(5)
    void compareShowsEachTable() throws Exception {
        browser().findElement(By.id("compare")).click();
        WebElement orders = waitFor(Duration.ofSeconds(20), d -> browser().findElement(By.cssSelector("#compare-tables tr[data-table='public.orders']")));
        assertThat(orders.getAttribute("data-equal")).isEqualTo("false");
        assertThat(orders.findElement(By.cssSelector(".rows-left")).getText()).as("the target").isEqualTo("1");
        assertThat(orders.findElement(By.cssSelector(".rows-right")).getText()).as("the source").isEqualTo("2");
        assertThat(browser().findElement(By.id("compare-summary")).getAttribute("data-equal")).isEqualTo("false");
        assertThat(text("compare-summary")).contains("1 of 1 table(s) differ");

        String creation = shown("Creation").getAttribute("data-checkpoint");
        waitFor(Duration.ofSeconds(30), d -> !browser().findElements(By.cssSelector("#compare-against option[value='" + creation + "']")).isEmpty());
        new Select(browser().findElement(By.id("compare-against"))).selectByValue(creation);
        browser().findElement(By.id("compare")).click();
        waitFor(Duration.ofSeconds(20), d -> "true".equals(browser().findElement(By.id("compare-summary")).getAttribute("data-equal")));
        assertThat(browser().findElement(By.cssSelector("#compare-tables tr[data-table='public.orders']")).getAttribute("data-equal")).isEqualTo("true");
        chromium.screenshot("replay-compare.png");
    }

    @Test
    @Order(6)
    void replayServiceGoingAwayShowsAsDown() throws Exception {
        replay.stop();
        waitFor(Duration.ofSeconds(15), d -> "down".equals(text("service-state")));
        assertThat(text("stale")).startsWith("replay is down: this page shows its last status, as of");
        browser().findElement(By.id("changes-refresh")).click();
        waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("error")).isDisplayed());
        assertThat(text("error-text")).contains("change log failed").contains("not reachable");
    }

    /** Presses the checkpoint's restore button, accepts the question, and waits for the result: its text. */
    private static String restoreTo(String name) {
        shown(name).findElement(By.cssSelector(".restore-here")).click();
        chromium.accept();
        return waitFor(Duration.ofSeconds(60), d -> {
            WebElement progress = checkpoint(name).findElement(By.cssSelector(".restore-progress"));
            String state = progress.getAttribute("data-state");
            if ("FAILED".equals(state)) {
                throw new AssertionError("the restore failed: " + progress.getText());
            }
            return "DONE".equals(state) ? progress.getText() : null;
        });
    }

    /** The checkpoint's item once the timeline shows it captured (its restore button enabled). */
    private static WebElement shown(String name) {
        return waitFor(Duration.ofSeconds(20), d -> {
            WebElement found = checkpoint(name);
            return found != null && found.findElement(By.cssSelector(".restore-here")).isEnabled() ? found : null;
        });
    }

    private static WebDriver browser() {
        return chromium.driver;
    }

    private static WebElement sessionRow() {
        return browser().findElement(By.cssSelector("#sessions tr[data-session='" + session + "']"));
    }

    private static List<WebElement> checkpoints() {
        return browser().findElements(By.cssSelector("#checkpoints li"));
    }

    private static WebElement checkpoint(String name) {
        return checkpoints().stream().filter(li -> name.equals(li.getAttribute("data-name"))).findFirst().orElse(null);
    }

    /** The change log's entry of that operation whose column item holds {@code item}; null when not shown. */
    private static WebElement change(String operation, String item) {
        for (WebElement change : browser().findElements(By.cssSelector("#changes .change[data-operation='" + operation + "']"))) {
            List<WebElement> cells = change.findElements(By.cssSelector("td[data-column=item]"));
            if (!cells.isEmpty() && item.equals(cells.get(0).getText())) {
                return change;
            }
        }
        return null;
    }

    private static String text(String id) {
        return chromium.text(id);
    }

    private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        return chromium.until(timeout, condition);
    }

    private static List<String> targetItems() throws SQLException {
        List<String> items = new ArrayList<>();
        try (Connection c = replay.connect(target); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT item FROM orders ORDER BY id")) {
            while (rs.next()) {
                items.add(rs.getString(1));
            }
        }
        return items;
    }

    private static void sql(String database, String... statements) throws SQLException {
        try (Connection c = replay.connect(database); Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }
}
