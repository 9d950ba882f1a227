package dev.pgcorral.ui;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A real headless Chromium for the browser tests, and what they do with it: log in, read, wait, screenshot. */
final class Chromium implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final WebDriver driver;

    private Chromium(WebDriver driver) {
        this.driver = driver;
    }

    /** Skips the test (fails it on CI) when Chromium or the lock-service jar is missing. */
    static void requirements() {
        requirements("lock-service", LockServiceProcess.available());
    }

    /** Skips the test (fails it on CI) when Chromium or the jar of {@code service} is missing. */
    static void requirements(String service, boolean jarAvailable) {
        String missing = !Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)
                ? "chromium and chromium-driver (apt-get install chromium chromium-driver)"
                : !jarAvailable ? "the " + service + " jar (./mvnw package)" : null;
        if (missing != null) {
            if (System.getenv("CI") != null) {
                fail("browser tests need " + missing);
            }
            Assumptions.abort("browser tests need " + missing);
        }
    }

    static Chromium open(int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height, "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new Chromium(new ChromeDriver(service, options));
    }

    /** Opens {@code path}, which sends a browser without a session to the login form, and logs in. */
    void logIn(String base, String path, String password) throws Exception {
        driver.get(base + path);
        waitUntil(Duration.ofSeconds(10), () -> driver.getCurrentUrl().contains("/login"));
        screenshot("login.png");
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("login")).click();
        // a page may add a fragment of its own (the replay page names the session it shows)
        waitUntil(Duration.ofSeconds(10), () -> driver.getCurrentUrl().replaceFirst("#.*", "").equals(base + path));
    }

    /** Opens {@code path}, logging in first when this browser has no session yet. */
    void open(String base, String path, String password) throws Exception {
        if (driver.manage().getCookieNamed("JSESSIONID") == null) {
            logIn(base, path, password);
        } else {
            driver.get(base + path);
        }
    }

    /** Closes what a test class opened; null stands for what it did not get to open. */
    static void closeAll(AutoCloseable... opened) throws Exception {
        for (AutoCloseable o : opened) {
            if (o != null) {
                o.close();
            }
        }
    }

    /** Waits until {@code condition} gives a value other than null or false, through elements replaced or not there yet meanwhile. */
    <T> T until(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class)
                .ignoring(NullPointerException.class).until(condition);
    }

    /** Accepts the question a button asks (a confirm) before it acts; the question. */
    String accept() {
        Alert question = new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        String text = question.getText();
        question.accept();
        return text;
    }

    /** Declines the question a button asks (a confirm): it does not act; the question. */
    String dismiss() {
        Alert question = new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        String text = question.getText();
        question.dismiss();
        return text;
    }

    String text(String id) {
        List<WebElement> found = driver.findElements(By.id(id));
        return found.isEmpty() ? null : found.get(0).getText();
    }

    void waitUntil(Duration timeout, Callable<Boolean> condition) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(condition);
    }

    void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "screenshots", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
