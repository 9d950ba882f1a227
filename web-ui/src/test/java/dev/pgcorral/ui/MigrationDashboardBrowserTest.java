package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The migration page in headless Chromium against a real migration-service (which demands its password) and a
 * throwaway source server: a cluster added, tested and introspected from the page, an unreachable one, a
 * clone_only migration into the embedded destination created, held back by a lock and stopped, started over
 * and followed live to 100 %, compared (equal, then a differing table), deleted. Then a clone_and_follow
 * migration into a database reached through a relay: streaming, its applied position, counts and lag chart
 * going on with writes on the source; stopped, its slot dropped or kept as asked; started again on a kept slot
 * while the relay is cut (a warning until it is back); deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pgcorral.ui.password=" + MigrationDashboardBrowserTest.UI_PASSWORD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationDashboardBrowserTest {

    static final String UI_PASSWORD = "ui-for-migration";
    static final String MIGRATION_PASSWORD = "migration-secret-4b7d";
    static final String SOURCE_PASSWORD = "source-secret-91ae";
    static final String MIGRATION = "shop-copy";
    static final String FOLLOW = "shop-follow";
    static final String FOLLOW_SLOT = "pgmanager_shop_follow";
    static final List<String> TABLES = List.of("public.orders", "public.customers", "public.notes", "sales.refunds");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static Path sourceFolder;
    static LocalPostgres source;
    static MigrationServiceProcess service;
    static Chromium chromium;
    /** The follow's destination, a database of the source server reached through it. */
    static TcpRelay replica;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) throws Exception {
        Chromium.requirements("migration-service", MigrationServiceProcess.available());
        sourceFolder = ServiceProcess.dataFolder("migration-source");
        source = new LocalPostgres(new LocalPostgres.Options(PostgresBinaries.locate(null), sourceFolder.resolve("pg"), false, 0, "127.0.0.1",
                "postgres", SOURCE_PASSWORD, LocalPostgres.THROWAWAY_SETTINGS, ServerAccount.resolve(null), null).withLogicalReplication());
        source.start();
        sql("postgres", "CREATE DATABASE shop");
        sql("shop",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 500) g",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer int REFERENCES customers, item text, qty int, placed timestamptz)",
                "INSERT INTO orders SELECT g, 1 + g % 500, 'item ' || g, g % 7, '2026-01-01'::timestamptz + g * interval '1 minute'"
                        + " FROM generate_series(1, 100000) g",
                "CREATE TABLE notes (id serial PRIMARY KEY, body text)",
                "CREATE SCHEMA sales",
                "CREATE TABLE sales.refunds (id int PRIMARY KEY, order_id bigint REFERENCES orders, amount numeric(10,2))",
                "INSERT INTO sales.refunds SELECT g, g * 10, g * 1.25 FROM generate_series(1, 50) g",
                "ANALYZE");
        service = new MigrationServiceProcess(MIGRATION_PASSWORD);
        service.start();
        service.register(registry, "migration", "migration");
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        chromium = Chromium.open(1280, 1600);
    }

    @AfterAll
    static void closeAll() throws Exception {
        Chromium.closeAll(chromium, service, replica, source);
        if (sourceFolder != null) {
            ServiceProcess.deleteFolder(sourceFolder);
        }
    }

    @BeforeEach
    void openMigrationPage() throws Exception {
        chromium.open("http://127.0.0.1:" + port, "/services/migration", UI_PASSWORD);
        waitFor(Duration.ofSeconds(30), d -> "up".equals(text("service-state")));
    }

    @Test
    @Order(1)
    void aClusterAddedOnThePageIsRegisteredTestedAndIntrospected() throws Exception {
        type("cluster-name", "shop");
        type("node-name", "primary");
        type("node-host", "127.0.0.1");
        browser().findElement(By.id("node-port")).clear();
        type("node-port", Integer.toString(source.port()));
        type("node-user", "postgres");
        type("node-password", SOURCE_PASSWORD);
        type("node-dbname", "shop");
        browser().findElement(By.id("create-cluster")).click();
        WebElement row = waitFor(Duration.ofSeconds(10), d -> clusterRow("shop"));
        assertThat(row.findElement(By.cssSelector(".node")).getText()).isEqualTo("primary");
        assertThat(row.getText()).contains("127.0.0.1:" + source.port()).contains("shop").contains("postgres");
        assertThat(browser().findElement(By.id("node-password")).getAttribute("value")).as("the form is emptied").isEmpty();
        JsonNode registered = JSON.readTree(service.api("GET", "/api/v1/clusters", null));
        assertThat(registered).hasSize(1);
        assertThat(registered.get(0).get("nodes").get(0).get("password").asString()).isEqualTo("********");
        assertThat(new Select(browser().findElement(By.id("source-cluster"))).getFirstSelectedOption().getText()).isEqualTo("shop");

        row.findElement(By.cssSelector(".test-node")).click();
        waitFor(Duration.ofSeconds(20), d -> "true".equals(browser().findElement(By.id("node-test")).getAttribute("data-reachable")));
        assertThat(text("node-test-summary")).startsWith("reachable, connected in ").contains(" ms").contains("PostgreSQL ")
                .contains("a primary").contains("superuser");
        assertThat(text("node-test-readiness-summary")).isEqualTo("ready to be a migration's source");
        List<WebElement> checks = browser().findElements(By.cssSelector("#node-test-readiness li"));
        assertThat(checks).extracting(li -> li.getAttribute("data-check")).containsExactly("version", "primary", "wal_level",
                "replication_slots", "wal_senders", "replication_privilege", "publication_privilege", "switchover", "replica_identity");
        assertThat(checks).allSatisfy(li -> assertThat(li.getAttribute("data-ok")).isEqualTo("true"));
        assertThat(check("wal_level").getText()).isEqualTo("✓ wal_level: wal_level is logical");
        assertThat(check("replication_privilege").getText()).contains("the REPLICATION privilege: role postgres is a superuser");

        row.findElement(By.cssSelector(".introspect-node")).click();
        WebElement shop = waitFor(Duration.ofSeconds(20),
                d -> browser().findElement(By.cssSelector("#introspection-databases tr[data-database='shop']")));
        assertThat(shop.findElement(By.cssSelector(".table-count")).getText()).isEqualTo("4");
        assertThat(shop.findElement(By.cssSelector(".size")).getText()).matches("\\d+ (kB|MB)");
        assertThat(shop.getText()).contains("public (").contains("sales (");
        assertThat(text("introspection-server")).contains("PostgreSQL ").contains("max_connections 300");
        assertThat(browser().getPageSource()).doesNotContain(MIGRATION_PASSWORD).doesNotContain(SOURCE_PASSWORD);
        chromium.screenshot("migration-cluster.png");
    }

    @Test
    @Order(2)
    void aNodeThatCannotBeReachedSaysSoAndItsClusterCanBeDeleted() throws Exception {
        int closed = ServiceProcess.freePort();
        String created = service.api("POST", "/api/v1/clusters",
                "{\"name\":\"gone\",\"nodes\":[{\"name\":\"nowhere\",\"host\":\"127.0.0.1\",\"port\":" + closed + ",\"user\":\"x\"}]}");
        assertThat(created).contains("\"name\":\"gone\"");
        chromium.driver.navigate().refresh();
        WebElement gone = waitFor(Duration.ofSeconds(10), d -> clusterRow("gone"));
        gone.findElement(By.cssSelector(".test-node")).click();
        waitFor(Duration.ofSeconds(20), d -> "false".equals(browser().findElement(By.id("node-test")).getAttribute("data-reachable")));
        assertThat(text("node-test-summary")).startsWith("not reachable after ").contains("connect");
        assertThat(text("node-test-readiness-summary")).isEmpty();

        clusterRow("gone").findElement(By.cssSelector(".delete-cluster")).click();
        chromium.accept();
        waitFor(Duration.ofSeconds(10), d -> clusterRow("gone") == null);
        assertThat(service.api("GET", "/api/v1/clusters", null)).doesNotContain("\"gone\"").contains("\"shop\"");

        // a second cluster of the same name (allowed, as in pgmanager): each is told by its id
        String twin = JSON.readTree(service.api("POST", "/api/v1/clusters",
                "{\"name\":\"shop\",\"nodes\":[{\"name\":\"other\",\"host\":\"127.0.0.1\",\"port\":" + closed + "}]}")).get("id").asString();
        chromium.driver.navigate().refresh();
        waitFor(Duration.ofSeconds(10), d -> new Select(d.findElement(By.id("source-cluster"))).getOptions().size() == 2);
        assertThat(new Select(browser().findElement(By.id("source-cluster"))).getOptions()).extracting(WebElement::getText)
                .allSatisfy(option -> assertThat(option).matches("shop \\(cl_[0-9a-z]{26}\\)")).contains("shop (" + twin + ")");
        service.api("DELETE", "/api/v1/clusters/" + twin, null);
        chromium.driver.navigate().refresh();
        waitFor(Duration.ofSeconds(10), d -> new Select(d.findElement(By.id("source-cluster"))).getOptions().size() == 1);
        assertThat(new Select(browser().findElement(By.id("source-cluster"))).getFirstSelectedOption().getText()).isEqualTo("shop");
    }

    @Test
    @Order(3)
    void aMigrationCreatedOnThePageRunsLiveAndStopsWhenAsked() throws Exception {
        type("migration-name", "Shop copy");
        assertThat(browser().findElement(By.id("migration-id")).getAttribute("value")).as("the id follows the name").isEqualTo(MIGRATION);
        choose("source-cluster", "shop");
        assertThat(new Select(browser().findElement(By.id("dest-cluster"))).getFirstSelectedOption().getAttribute("value"))
                .as("the embedded destination by default").isEqualTo("embedded");
        assertThat(browser().findElement(By.id("dest-node")).isEnabled()).isFalse();
        browser().findElement(By.id("copy-workers")).clear();
        type("copy-workers", "2");
        browser().findElement(By.id("create-migration")).click();
        waitFor(Duration.ofSeconds(10), d -> "created".equals(migrationRow().getAttribute("data-status")));
        waitFor(Duration.ofSeconds(10), d -> "created".equals(badge()));
        JsonNode stored = JSON.readTree(service.api("GET", "/api/v1/migrations/" + MIGRATION, null));
        // where the copy is reached: the embedded server's address and user, and the database named after the migration
        JsonNode embedded = stored.get("dest_embedded");
        assertThat(embedded.get("database").asString()).isEqualTo("shop_copy");
        assertThat(embedded.get("user").asString()).isNotBlank();
        assertThat(embedded.has("password")).isFalse();
        waitFor(Duration.ofSeconds(10), d -> text("selected-route").startsWith("from shop · primary (127.0.0.1:" + source.port()
                + "/shop) to the embedded PostgreSQL of migration (database shop_copy on " + embedded.get("host").asString() + ":"
                + embedded.get("port").asInt() + ", user " + embedded.get("user").asString() + ") · 2 copy worker(s)"));
        assertThat(stored.get("mode").asString()).isEqualTo("clone_only");
        assertThat(stored.get("dest_cluster_id").asString()).isEqualTo("embedded");
        assertThat(stored.get("copy_workers").asInt()).isEqualTo(2);
        assertThat(browser().findElement(By.id("migration-switchover")).isDisplayed()).as("a clone only has no switchover").isFalse();

        try (Connection lock = source.connect("shop")) {
            holdBack(lock);
            browser().findElement(By.id("migration-start")).click();
            waitFor(Duration.ofSeconds(10), d -> "running".equals(badge()));
            WebElement connecting = waitFor(Duration.ofSeconds(10), d -> phase("connecting"));
            assertThat(connecting.getAttribute("data-state")).isEqualTo("current");
            String first = connecting.findElement(By.cssSelector(".duration")).getText();
            waitFor(Duration.ofSeconds(5), d -> !first.equals(phase("connecting").findElement(By.cssSelector(".duration")).getText()));
            assertThat(browser().findElement(By.id("migration-start")).isEnabled()).isFalse();
            assertThat(migrationRow().findElement(By.cssSelector(".status")).getText()).isEqualTo("running");
            chromium.screenshot("migration-running.png");

            browser().findElement(By.id("migration-stop")).click();
            assertThat(chromium.accept()).contains("it resumes on this run's snapshot where the copy was");
            // a stop aborts the run's connections, so the run may have ended by the time the page has the service's answer
            waitFor(Duration.ofSeconds(10), d -> "stop requested: the run ends at its next step".equals(text("selected-note"))
                    || "stopped".equals(badge()));
            lock.rollback();
        }
        waitFor(Duration.ofSeconds(30), d -> "stopped".equals(badge()));
        waitFor(Duration.ofSeconds(10), d -> "stopped".equals(lastPhase().getAttribute("data-state")));
        assertThat(browser().findElement(By.id("selected-note")).isDisplayed()).isFalse();
        assertThat(browser().findElement(By.id("migration-stop")).isEnabled()).isFalse();
        assertThat(browser().findElement(By.id("migration-start")).isEnabled()).isTrue();
    }

    @Test
    @Order(4)
    void startedAgainTheCloneReaches100PercentAndCompletedLive() throws Exception {
        waitFor(Duration.ofSeconds(10), d -> "stopped".equals(badge()));
        ((JavascriptExecutor) browser()).executeScript("window.seen = [];"
                + "const badge = document.getElementById('selected-status');"
                + "new MutationObserver(() => { const s = badge.getAttribute('data-status');"
                + "  if (window.seen[window.seen.length - 1] !== s) window.seen.push(s); })"
                + ".observe(badge, {attributes: true, childList: true, characterData: true, subtree: true});");
        try (Connection lock = source.connect("shop")) {
            holdBack(lock);
            browser().findElement(By.id("migration-start")).click();
            assertThat(chromium.accept()).as("a clone only has no slot").doesNotContain("slot")
                    .contains("it resumes on that run's snapshot").contains("Otherwise it starts over");
            waitFor(Duration.ofSeconds(10), d -> "running".equals(badge()));
            waitFor(Duration.ofSeconds(10), d -> logMessages().contains("phase connecting"));
            lock.rollback();
        }
        waitFor(Duration.ofSeconds(60), d -> "completed".equals(badge()));
        assertThat(((List<?>) ((JavascriptExecutor) browser()).executeScript("return window.seen;")).stream().map(String::valueOf).toList())
                .as("seen live: running, then completed").containsSubsequence("running", "completed");

        waitFor(Duration.ofSeconds(10), d -> tableRows().size() == TABLES.size()
                && tableRows().stream().allMatch(r -> "100".equals(r.getAttribute("data-percent"))));
        assertThat(tableRows()).extracting(r -> r.getAttribute("data-table")).containsExactlyInAnyOrderElementsOf(TABLES);
        for (WebElement row : tableRows()) {
            assertThat(row.getAttribute("data-status")).isEqualTo("copied");
            assertThat(row.findElement(By.cssSelector(".percent")).getText()).isEqualTo("100 %");
        }
        WebElement orders = browser().findElement(By.cssSelector("#tables tr[data-table='public.orders']"));
        assertThat(orders.findElement(By.cssSelector(".rows")).getText()).isEqualTo("100,000 of 100,000");
        assertThat(orders.findElement(By.cssSelector(".bytes")).getText()).matches("\\d+\\.\\d MiB · table \\d+\\.\\d MiB");
        assertThat(orders.findElement(By.cssSelector("progress")).getAttribute("value")).isEqualTo("100");

        List<WebElement> phases = browser().findElements(By.cssSelector("#phases li"));
        assertThat(phases).extracting(li -> li.getAttribute("data-phase"))
                .containsExactly("connecting", "schema", "copy", "indexes", "finishing", "done");
        for (WebElement p : phases.subList(0, 5)) {
            assertThat(p.getAttribute("data-state")).isEqualTo("ended");
            assertThat(p.findElement(By.cssSelector(".duration")).getText()).matches("\\d+\\.\\d\\d? s");
        }
        assertThat(phases.get(5).getAttribute("data-state")).isEqualTo("terminal");
        assertThat(text("selected-phase")).isEqualTo("done");
        assertThat(text("selected-tables")).isEqualTo("4 / 4");
        assertThat(text("selected-rows")).isEqualTo("100,550");
        assertThat(text("selected-throughput")).startsWith("the copy phase moved 100,550 rows").contains(" rows/s, ").endsWith(" MB/s on average");
        assertThat(browser().findElement(By.id("selected-error")).isDisplayed()).isFalse();
        assertThat(migrationRow().findElement(By.cssSelector(".tables")).getText()).isEqualTo("4 / 4");
        assertThat(logMessages()).as("the log read while it ran is kept").contains("phase connecting", "phase done");
        chromium.screenshot("migration-completed.png");
    }

    @Test
    @Order(5)
    void compareSaysEqualThenPointsAtTheTableThatDiffers() throws Exception {
        waitFor(Duration.ofSeconds(10), d -> "completed".equals(badge()));
        browser().findElement(By.id("compare")).click();
        waitFor(Duration.ofSeconds(60), d -> "true".equals(browser().findElement(By.id("compare-summary")).getAttribute("data-equal")));
        assertThat(text("compare-summary")).isEqualTo("equal: the 4 table(s) hold the same rows on the source and the destination");
        assertThat(compareRows()).hasSize(4).allSatisfy(r -> {
            assertThat(r.getAttribute("data-equal")).isEqualTo("true");
            assertThat(r.getAttribute("class")).doesNotContain("differs");
        });

        sql("shop", "UPDATE sales.refunds SET amount = amount + 1 WHERE id = 7", "INSERT INTO notes (body) VALUES ('after the clone')");
        browser().findElement(By.id("compare")).click();
        waitFor(Duration.ofSeconds(60), d -> "false".equals(browser().findElement(By.id("compare-summary")).getAttribute("data-equal")));
        assertThat(text("compare-summary")).isEqualTo("not equal: 2 of 4 table(s) differ");
        WebElement refunds = browser().findElement(By.cssSelector("#compare-tables tr[data-table='sales.refunds']"));
        assertThat(refunds.getAttribute("data-equal")).isEqualTo("false");
        assertThat(refunds.getAttribute("class")).contains("differs");
        assertThat(refunds.findElement(By.cssSelector(".difference")).getText()).isEqualTo("same row count, different content");
        assertThat(refunds.findElement(By.cssSelector(".source-rows")).getText()).isEqualTo("50");
        WebElement notes = browser().findElement(By.cssSelector("#compare-tables tr[data-table='public.notes']"));
        assertThat(notes.getAttribute("class")).contains("differs");
        assertThat(notes.findElement(By.cssSelector(".difference")).getText()).isEqualTo("1 fewer row(s) on the destination");
        assertThat(compareRows().stream().filter(r -> "false".equals(r.getAttribute("data-equal")))).hasSize(2);
        chromium.screenshot("migration-compare.png");
    }

    @Test
    @Order(6)
    void aMigrationDeletedOnThePageIsGone() throws Exception {
        waitFor(Duration.ofSeconds(10), d -> "completed".equals(badge()));
        browser().findElement(By.id("migration-delete")).click();
        chromium.accept();
        waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("migrations-empty")).isDisplayed());
        assertThat(browser().findElement(By.id("migration-detail")).isDisplayed()).isFalse();
        assertThat(JSON.readTree(service.api("GET", "/api/v1/migrations", null))).isEmpty();
    }

    @Test
    @Order(7)
    void aMigrationThatCannotBeCreatedOrRunSaysWhy() throws Exception {
        type("migration-name", "Onto itself");
        choose("source-cluster", "shop");
        choose("dest-cluster", "shop");
        assertThat(browser().findElement(By.id("dest-node")).isEnabled()).isTrue();
        browser().findElement(By.id("create-migration")).click();
        waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("error")).isDisplayed());
        assertThat(text("error-text")).isEqualTo("create migration failed: validation: source and destination cannot be the same node");
        browser().findElement(By.id("error-close")).click();

        new Select(browser().findElement(By.id("dest-cluster"))).selectByValue("embedded");
        browser().findElement(By.id("migration-fallback")).click();
        browser().findElement(By.id("create-migration")).click();
        waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("error")).isDisplayed());
        assertThat(text("error-text")).as("the service's reasons, both").contains("fallback").contains("needs a mode that follows")
                .contains("needs a registered destination cluster");
        browser().findElement(By.id("error-close")).click();
        browser().findElement(By.id("migration-fallback")).click();

        // the earlier clone's database is still there, and a new migration of that id does not write over it
        new Select(browser().findElement(By.id("dest-cluster"))).selectByValue("embedded");
        browser().findElement(By.id("migration-id")).clear();
        type("migration-id", MIGRATION);
        browser().findElement(By.id("create-migration")).click();
        waitFor(Duration.ofSeconds(10), d -> "created".equals(badge()));
        browser().findElement(By.id("migration-start")).click();
        waitFor(Duration.ofSeconds(30), d -> "failed".equals(badge()));
        WebElement error = waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("selected-error")));
        assertThat(error.isDisplayed()).isTrue();
        assertThat(error.getText()).contains("the destination database shop_copy is not empty").contains("a clone goes into an empty database");
        assertThat(migrationRow().getAttribute("data-status")).isEqualTo("failed");
        waitFor(Duration.ofSeconds(10), d -> "failed".equals(lastPhase().getAttribute("data-state")));
        assertThat(lastPhase().getAttribute("data-phase")).isEqualTo("connecting");
        assertThat(migrationRow().findElement(By.cssSelector(".name")).getText()).isEqualTo("Onto itself (shop-copy)");
        chromium.screenshot("migration-failed.png");
    }

    @Test
    @Order(8)
    void aFollowingMigrationShowsItsPositionAndLagLiveAndStopDropsItsSlot() throws Exception {
        sql("postgres", "CREATE DATABASE shop_replica");
        replica = new TcpRelay(source.port());
        service.api("POST", "/api/v1/clusters", "{\"name\":\"replica\",\"nodes\":[{\"name\":\"relayed\",\"host\":\"127.0.0.1\","
                + "\"port\":" + replica.port + ",\"user\":\"postgres\",\"password\":\"" + SOURCE_PASSWORD + "\",\"dbname\":\"shop_replica\"}]}");
        chromium.driver.navigate().refresh();
        waitFor(Duration.ofSeconds(10), d -> clusterRow("replica"));
        type("migration-name", "Shop follow");
        choose("source-cluster", "shop");
        choose("dest-cluster", "replica");
        Select mode = new Select(browser().findElement(By.id("migration-mode")));
        assertThat(mode.getOptions()).extracting(WebElement::getText)
                .containsExactly("clone only", "clone, then follow", "clone, follow, switch over");
        mode.selectByValue("clone_and_follow");
        browser().findElement(By.id("create-migration")).click();
        waitFor(Duration.ofSeconds(10), d -> "created".equals(migrationRow(FOLLOW).getAttribute("data-status")) && "created".equals(badge()));
        WebElement modeCell = migrationRow(FOLLOW).findElement(By.cssSelector(".mode"));
        assertThat(modeCell.getText()).isEqualTo("clone, then follow");
        assertThat(modeCell.getAttribute("title")).isEqualTo("clone_and_follow");
        assertThat(JSON.readTree(service.api("GET", "/api/v1/migrations/" + FOLLOW, null)).get("mode").asString()).isEqualTo("clone_and_follow");
        assertThat(browser().findElement(By.id("keep-slot-choice")).isDisplayed()).isTrue();
        assertThat(browser().findElement(By.id("follow")).isDisplayed()).as("no follow before the start").isFalse();

        browser().findElement(By.id("migration-start")).click();
        waitFor(Duration.ofSeconds(90), d -> "streaming".equals(badge()));
        WebElement status = migrationRow(FOLLOW).findElement(By.cssSelector(".status"));
        assertThat(status.getText()).isEqualTo("streaming");
        assertThat(status.getAttribute("class")).contains("status-streaming");
        assertThat(text("selected-phase")).isEqualTo("streaming");
        assertThat(browser().findElement(By.id("follow")).isDisplayed()).isTrue();
        assertThat(slots()).isEqualTo(1);
        waitFor(Duration.ofSeconds(10), d -> text("follow-lsn").matches("[0-9A-F]+/[0-9A-F]+") && points("lag-bytes-chart") > 0);
        String lsn = text("follow-lsn");
        long transactions = number("follow-transactions");

        sql("shop", "INSERT INTO notes (body) VALUES ('followed 1')", "INSERT INTO notes (body) VALUES ('followed 2')",
                "UPDATE customers SET name = 'renamed' WHERE id <= 10");
        waitFor(Duration.ofSeconds(30), d -> number("follow-transactions") == transactions + 3);
        assertThat(text("follow-lsn")).as("the applied position went on").isNotEqualTo(lsn);
        assertThat(number("follow-changes")).isGreaterThanOrEqualTo(12);
        assertThat(text("follow-lag-bytes")).matches("\\d+(\\.\\d)? (B|KiB|MiB)");
        assertThat(text("follow-lag-seconds")).matches("\\d+\\.\\d+ s");
        assertThat(browser().findElement(By.id("follow-trouble")).isDisplayed()).isFalse();
        int plotted = points("lag-bytes-chart");
        waitFor(Duration.ofSeconds(10), d -> points("lag-bytes-chart") > plotted + 2 && points("lag-seconds-chart") > plotted + 2);
        chromium.screenshot("migration-streaming.png");

        // a page opened while it follows starts its lag charts with what the service kept from before
        browser().navigate().refresh();
        double opened = ((Number) ((JavascriptExecutor) browser()).executeScript("return performance.timeOrigin")).doubleValue();
        waitFor(Duration.ofSeconds(10), d -> points("lag-bytes-chart") > 0
                && Double.parseDouble(browser().findElement(By.id("lag-bytes-chart")).getAttribute("data-first")) < opened);

        sql("shop_replica", "INSERT INTO notes (id, body) VALUES (424242, 'only on the destination')");
        browser().findElement(By.id("compare")).click();
        waitFor(Duration.ofSeconds(60), d -> "false".equals(browser().findElement(By.id("compare-summary")).getAttribute("data-equal")));
        assertThat(text("compare-summary")).as("a difference while following may be one in flight: the page says so")
                .startsWith("not equal: 1 of ").contains("; the migration follows the source");
        sql("shop_replica", "DELETE FROM notes WHERE id = 424242");

        assertThat(browser().findElement(By.id("keep-slot")).isSelected()).as("stop drops the slot unless asked").isFalse();
        browser().findElement(By.id("migration-stop")).click();
        assertThat(chromium.accept()).contains("are dropped");
        waitFor(Duration.ofSeconds(30), d -> "stopped".equals(badge()));
        assertThat(browser().findElement(By.id("follow")).isDisplayed()).isFalse();
        // how far it got stays on the page
        waitFor(Duration.ofSeconds(10), d -> text("selected-route").matches(".* · applied the source's changes up to [0-9A-F]+/[0-9A-F]+"));
        assertThat(slots()).as("no slot of it left on the source").isZero();
        assertThat(sqlCount("SELECT count(*) FROM pg_publication WHERE pubname = 'pgmanager_pub_shop_follow'")).isZero();
    }

    @Test
    @Order(9)
    void stoppedKeepingItsSlotItFollowsOnWhenStartedAgainWarnsWhileItsDestinationIsAwayAndDeleteDropsTheSlot() throws Exception {
        selectMigration(FOLLOW);
        waitFor(Duration.ofSeconds(10), d -> "stopped".equals(badge()));
        browser().findElement(By.id("migration-start")).click();
        assertThat(chromium.accept()).contains("it follows on from there").contains("Otherwise it starts over");
        waitFor(Duration.ofSeconds(90), d -> "streaming".equals(badge()));

        browser().findElement(By.id("keep-slot")).click();
        browser().findElement(By.id("migration-stop")).click();
        assertThat(chromium.accept()).contains("stay there");
        waitFor(Duration.ofSeconds(30), d -> "stopped".equals(badge()));
        assertThat(slots()).as("the slot kept").isEqualTo(1);
        assertThat(browser().findElement(By.id("keep-slot")).isSelected()).as("the next stop drops it again unless asked").isFalse();

        // started again it follows on from the slot, and says so while it cannot reach the destination
        replica.cut();
        sql("shop", "INSERT INTO notes (body) VALUES ('while stopped')");
        browser().findElement(By.id("migration-start")).click();
        chromium.accept();
        waitFor(Duration.ofSeconds(30), d -> "streaming".equals(badge()) && browser().findElement(By.id("follow-trouble")).isDisplayed());
        assertThat(text("follow-trouble")).startsWith("⚠ cannot reach the destination ").contains("retrying in ");
        assertThat(text("follow-lsn")).isEqualTo("none yet");
        // the lag still counts, from the slot's confirmed position on the source, and its seconds from when it was held up
        waitFor(Duration.ofSeconds(10), d -> text("follow-lag-bytes").matches("\\d+(\\.\\d)? (B|KiB|MiB)")
                && text("follow-lag-seconds").matches("\\d+\\.\\d+ s") && !text("follow-lag-seconds").equals("0.00 s"));
        chromium.screenshot("migration-streaming-trouble.png");
        replica.open();
        waitFor(Duration.ofSeconds(60), d -> !browser().findElement(By.id("follow-trouble")).isDisplayed()
                && number("follow-transactions") == 1);
        waitFor(Duration.ofSeconds(10), d -> logMessages().stream().anyMatch(m -> m.contains("following on")));
        assertThat(browser().findElements(By.cssSelector("#phases li"))).extracting(li -> li.getAttribute("data-phase"))
                .as("the clone's phases, then this run's").containsExactly("connecting", "schema", "copy", "indexes", "finishing",
                        "connecting", "streaming");

        browser().findElement(By.id("migration-delete")).click();
        assertThat(chromium.accept()).contains("is running").contains("are dropped");
        waitFor(Duration.ofSeconds(30), d -> browser().findElements(By.cssSelector("#migrations tr[data-migration='" + FOLLOW + "']")).isEmpty());
        assertThat(slots()).isZero();
    }

    @Test
    @Order(10)
    void aSwitchedOverMigrationSaysWhenAndCannotBeStartedAgain() throws Exception {
        sql("postgres", "CREATE DATABASE shop_moved");
        JsonNode shop = JSON.readTree(service.api("GET", "/api/v1/clusters", null)).valueStream()
                .filter(c -> c.get("name").asString().equals("shop")).findFirst().orElseThrow();
        JsonNode moved = JSON.readTree(service.api("POST", "/api/v1/clusters", "{\"name\":\"moved\",\"nodes\":[{\"name\":\"n\","
                + "\"host\":\"127.0.0.1\",\"port\":" + source.port() + ",\"user\":\"postgres\",\"password\":\"" + SOURCE_PASSWORD
                + "\",\"dbname\":\"shop_moved\"}]}"));
        String created = service.api("POST", "/api/v1/migrations", "{\"id\":\"shop-moved\",\"name\":\"Shop moved\",\"mode\":\"clone_and_follow\","
                + "\"source_cluster_id\":\"" + shop.get("id").asString() + "\",\"source_node_id\":\"" + shop.get("nodes").get(0).get("id").asString()
                + "\",\"dest_cluster_id\":\"" + moved.get("id").asString() + "\",\"dest_node_id\":\"" + moved.get("nodes").get(0).get("id").asString()
                + "\"}");
        assertThat(JSON.readTree(created).path("id").asString()).as(created).isEqualTo("shop-moved");
        // a mode that switches over by itself: its start asks first, as the Switch over button does
        service.api("POST", "/api/v1/migrations", "{\"id\":\"shop-auto\",\"name\":\"Shop auto\","
                + "\"mode\":\"clone_follow_switchover\",\"source_cluster_id\":\"" + shop.get("id").asString() + "\",\"source_node_id\":\""
                + shop.get("nodes").get(0).get("id").asString() + "\",\"dest_cluster_id\":\"" + moved.get("id").asString()
                + "\",\"dest_node_id\":\"" + moved.get("nodes").get(0).get("id").asString() + "\"}");
        chromium.driver.navigate().refresh();
        selectMigration("shop-auto");
        waitFor(Duration.ofSeconds(10), d -> "created".equals(badge()));
        browser().findElement(By.id("migration-start")).click();
        assertThat(chromium.dismiss()).startsWith("Start shop-auto? Once it has caught up it switches over by itself")
                .contains("the source's database becomes read-only");
        assertThat(badge()).as("declined: not started").isEqualTo("created");
        service.api("DELETE", "/api/v1/migrations/shop-auto", null);
        String started = service.api("POST", "/api/v1/migrations/shop-moved/start", null);
        assertThat(started).contains("\"ok\":true");
        try {
            chromium.driver.navigate().refresh();
            selectMigration("shop-moved");
            waitFor(Duration.ofSeconds(90), d -> "streaming".equals(badge()));
            assertThat(browser().findElement(By.id("migration-start")).isEnabled()).isFalse();
            WebElement switchover = browser().findElement(By.id("migration-switchover"));
            assertThat(switchover.isDisplayed() && switchover.isEnabled()).as("a streaming migration can be switched over").isTrue();

            for (String refused : List.of("0", "1.5")) { // the service takes whole seconds: the page says so, asks nothing
                browser().findElement(By.id("switchover-timeout")).clear();
                type("switchover-timeout", refused);
                switchover.click();
                waitFor(Duration.ofSeconds(10), d -> browser().findElement(By.id("error")).isDisplayed());
                assertThat(text("error-text")).isEqualTo("the switchover's timeout is a whole number of seconds from 1 to 3600 "
                        + "(or empty for the service's), not " + refused);
                browser().findElement(By.id("error-close")).click();
            }
            assertThat(badge()).as("a refused switchover leaves the follow as it was").isEqualTo("streaming");

            // one the service refuses once it has begun: the page says it failed, and that the follow goes on
            sql("shop", "CREATE SEQUENCE late_seq");
            // the follow goes on past it, and the page lists it as one the destination needs too
            waitFor(Duration.ofSeconds(30), d -> browser().findElement(By.id("follow-schema-notes")).isDisplayed());
            assertThat(browser().findElements(By.cssSelector("#follow-schema-statements li"))).extracting(WebElement::getText)
                    .containsExactly("CREATE SEQUENCE late_seq");
            browser().findElement(By.id("switchover-timeout")).clear();
            type("switchover-timeout", "20");
            switchover.click();
            assertThat(chromium.accept()).startsWith("Switch shop-moved over to its destination?").contains("(20 s)")
                    .contains("so are the destination's").contains("The source stays read-only afterwards");
            waitFor(Duration.ofSeconds(60), d -> browser().findElement(By.id("selected-switchover")).isDisplayed());
            assertThat(text("selected-switchover")).contains("failed; the source has its writes and the follow goes on: "
                    + "the destination lacks sequence(s) public.late_seq");
            assertThat(badge()).isEqualTo("streaming");
            sql("shop", "DROP SEQUENCE late_seq");

            waitFor(Duration.ofSeconds(10), d -> switchover.isEnabled());
            switchover.click();
            assertThat(chromium.accept()).contains("(20 s)");
            waitFor(Duration.ofSeconds(60), d -> "completed".equals(badge()) && text("selected-route").contains("switched over at "));
            waitFor(Duration.ofSeconds(10), d -> text("selected-switchover").startsWith("Switched over: the destination takes the writes."));
            assertThat(text("selected-switchover")).contains("The source database stays read-only");
            assertThat(logMessages()).anySatisfy(message -> assertThat(message).contains("20 s"));
            assertThat(text("selected-route")).containsPattern("switched over at [0-9A-F]+/[0-9A-F]+ with \\d+ ms without writes");
            assertThat(browser().findElement(By.id("migration-start")).isEnabled()).as("the service would refuse it (409)").isFalse();

            ((JavascriptExecutor) browser()).executeScript("location.hash = '#migration=" + MIGRATION + "'");
            waitFor(Duration.ofSeconds(10), d -> text("selected-name").endsWith("(" + MIGRATION + ")"));
        } finally {
            sql("shop", "SET default_transaction_read_only = off", "ALTER DATABASE shop RESET default_transaction_read_only");
        }
    }

    /** Holds an exclusive lock on the source's orders in {@code connection}'s open transaction: a clone waits for it. */
    private static void holdBack(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
        }
    }

    private static void type(String id, String value) {
        browser().findElement(By.id(id)).sendKeys(value);
    }

    private static WebDriver browser() {
        return chromium.driver;
    }

    private static String text(String id) {
        return chromium.text(id);
    }

    private static String badge() {
        return browser().findElement(By.id("selected-status")).getAttribute("data-status");
    }

    private static WebElement clusterRow(String name) {
        List<WebElement> rows = browser().findElements(By.cssSelector("#clusters tr[data-cluster-name='" + name + "']"));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static WebElement check(String name) {
        return browser().findElement(By.cssSelector("#node-test-readiness li[data-check='" + name + "']"));
    }

    private static WebElement migrationRow() {
        return migrationRow(MIGRATION);
    }

    private static WebElement migrationRow(String id) {
        return browser().findElement(By.cssSelector("#migrations tr[data-migration='" + id + "']"));
    }

    private static void selectMigration(String id) {
        waitFor(Duration.ofSeconds(10), d -> migrationRow(id)).click();
        waitFor(Duration.ofSeconds(10), d -> text("selected-name").endsWith("(" + id + ")"));
    }

    /** A count the page shows, as a number. */
    private static long number(String id) {
        return Long.parseLong(text(id).replace(",", ""));
    }

    /** How many points a chart drew. */
    private static int points(String chart) {
        String drawn = browser().findElement(By.id(chart)).getAttribute("data-points");
        return drawn == null ? 0 : Integer.parseInt(drawn); // not drawn yet (a page just opened)
    }

    /** The follow's replication slots on the source. */
    private static long slots() throws SQLException {
        return sqlCount("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + FOLLOW_SLOT + "'");
    }

    private static WebElement phase(String name) {
        return browser().findElement(By.cssSelector("#phases li[data-phase='" + name + "']"));
    }

    private static WebElement lastPhase() {
        return browser().findElement(By.cssSelector("#phases li:last-child"));
    }

    private static List<WebElement> tableRows() {
        return browser().findElements(By.cssSelector("#tables tr"));
    }

    private static List<WebElement> compareRows() {
        return browser().findElements(By.cssSelector("#compare-tables tr"));
    }

    /** The log's messages, read in one script call: the live log re-renders, and elements found one by one can go stale. */
    @SuppressWarnings("unchecked")
    private static List<String> logMessages() {
        return (List<String>) ((JavascriptExecutor) browser()).executeScript(
                "return Array.from(document.querySelectorAll('#logs .log-entry .message')).map(e => e.textContent.trim())");
    }

    /** Picks the option of a cluster list by its text, again should the page render the list anew meanwhile (it refreshes live). */
    private static void choose(String select, String option) {
        waitFor(Duration.ofSeconds(10), d -> {
            Select list = new Select(d.findElement(By.id(select)));
            list.selectByVisibleText(option);
            return option.equals(list.getFirstSelectedOption().getText().strip());
        });
    }

    private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        return chromium.until(timeout, condition);
    }

    private static long sqlCount(String query) throws SQLException {
        try (Connection c = source.connect("shop"); Statement st = c.createStatement(); var rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sql(String database, String... statements) throws SQLException {
        try (Connection c = source.connect(database); Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }
}
