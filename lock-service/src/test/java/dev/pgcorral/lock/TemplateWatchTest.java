package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.PoolStatus;

/** Migrations read from the file system; editing them rebuilds the template and the free databases. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.lock.port=0",
        "pgcorral.lock.databases-per-instance=2",
        "pgcorral.lock.template.watch-interval=200ms",
        "pgcorral.lock.template.extensions=citext",
        "pgcorral.lock.reset-strategy=WAL_LOG"})
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class TemplateWatchTest {

    static final Path MIGRATIONS;
    static final Path INIT_SQL;

    static {
        try {
            MIGRATIONS = Files.createTempDirectory("pgcorral-migrations");
            Files.writeString(MIGRATIONS.resolve("V1__orders.sql"), "CREATE TABLE orders (id int PRIMARY KEY, customer citext);\n");
            INIT_SQL = Files.createTempFile("pgcorral-init", ".sql");
            Files.writeString(INIT_SQL, "INSERT INTO orders VALUES (1, 'Seed'); CREATE TABLE from_init_sql (x int);\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void migrations(DynamicPropertyRegistry registry) {
        registry.add("pgcorral.lock.template.migrations", () -> "filesystem:" + MIGRATIONS);
        registry.add("pgcorral.lock.template.init-sql", INIT_SQL::toString);
    }

    @Autowired
    Pool pool;
    @Autowired
    LockConfiguration.FrontPort front;

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(INIT_SQL);
        try (var files = Files.walk(MIGRATIONS)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void theTemplateHoldsExtensionsMigrationsAndInitSqlWithTheWalLogStrategy() throws Exception {
        assertThat(hasTable("from_init_sql")).isTrue();
        try (PgflockConnection lock = PgflockConnection.lock(front.port(), "init", "pgflock");
             Connection db = PoolTestBase.connect(lock.firstLine()); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM orders WHERE customer = 'SEED'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("citext from the extension, the row from the init SQL").isEqualTo(1);
        }
    }

    @Test
    void aNewMigrationRebuildsTheTemplateAndReachesTheNextLock() throws Exception {
        String before = pool.templateHash();
        assertThat(hasTable("orders")).isTrue();
        assertThat(hasTable("invoices")).isFalse();

        place("V2__invoices.sql", "CREATE TABLE invoices (id int PRIMARY KEY);\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> !before.equals(pool.templateHash())
                && pool.status().instances().stream().allMatch(i -> pool.templateHash().equals(i.templateHash()))
                && pool.status().counts().free() == 2);
        assertThat(hasTable("invoices")).isTrue();
        assertThat(new LockServiceClient(front.port(), "pgflock").health().get("template_hash").asString())
                .isEqualTo(pool.templateHash());
    }

    @Test
    void aBrokenMigrationKeepsTheLastGoodTemplateAndSaysWhy(CapturedOutput output) throws Exception {
        String inUse = pool.templateHash();
        LockServiceClient client = new LockServiceClient(front.port(), "pgflock");
        place("V9__broken.sql", "CREATE TABLE broken (;\n");
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.status().pendingTemplate() != null
                    && pool.status().pendingTemplate().error() != null);
            PoolStatus status = pool.status();
            assertThat(status.templateHash()).as("the template in use").isEqualTo(inUse);
            assertThat(status.pendingTemplate().hash()).isNotEqualTo(inUse);
            assertThat(status.pendingTemplate().error()).contains("syntax error");
            assertThat(status.status()).isEqualTo("degraded");
            assertThat(status.instances()).allSatisfy(i -> assertThat(i.healthy()).isTrue());
            assertThat(client.health().get("status").asString()).isEqualTo("degraded");
            assertThat(client.health().get("template_hash").asString()).isEqualTo(inUse);
            assertThat(client.health().get("pending_template").get("error").asString()).contains("syntax error");
            var health = client.get("/actuator/health").json().get("components").get("pool").get("details");
            assertThat(health.get("status").asString()).isEqualTo("degraded");
            assertThat(health.get("pendingTemplate").get("error").asString()).contains("syntax error");

            try (PgflockConnection a = PgflockConnection.lock(front.port(), "cycle", "pgflock");
                 PgflockConnection b = PgflockConnection.lock(front.port(), "cycle", "pgflock")) {
                a.firstLine();
                b.firstLine();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.status().counts().free() == 2);
            assertThat(hasTable("orders")).as("databases are reset from the previous template").isTrue();
            assertThat(hasTable("broken")).isFalse();
            assertThat(output.getAll().split("rebuilding the template of instance 1 failed", -1))
                    .as("the failure is logged once, not at every check").hasSize(2);
        } finally {
            Files.delete(MIGRATIONS.resolve("V9__broken.sql"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.status().pendingTemplate() == null);
        assertThat(pool.status().status()).isEqualTo("ok");
        assertThat(pool.templateHash()).isEqualTo(inUse);
    }

    @Test
    void aRestartThatCannotReadTheMigrationsChangesNothing() throws Exception {
        Path away = MIGRATIONS.resolveSibling(MIGRATIONS.getFileName() + "-away");
        try (PgflockConnection held = PgflockConnection.lock(front.port(), "survivor", "pgflock")) {
            held.firstLine();
            Files.move(MIGRATIONS, away);
            try {
                var restart = new LockServiceClient(front.port(), "pgflock").post("/restart?marker=x&password=pgflock", "");
                assertThat(restart.status()).isEqualTo(500);
                assertThat(restart.body()).startsWith("Restart failed: cannot read the template sources");
                assertThat(pool.status().counts().locked()).as("the lease survived").isEqualTo(1);
                assertThat(pool.status().status()).isEqualTo("ok");
            } finally {
                Files.move(away, MIGRATIONS);
            }
        }
    }

    /** Puts a migration in place whole (a rename), so the watcher never sees it half written: one change, one rebuild. */
    private static void place(String name, String sql) throws IOException {
        Path written = Files.createTempFile(MIGRATIONS.getParent(), "pgcorral-migration", ".tmp");
        Files.writeString(written, sql);
        Files.move(written, MIGRATIONS.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private boolean hasTable(String table) throws Exception {
        try (PgflockConnection lock = PgflockConnection.lock(front.port(), "watch", "pgflock");
             Connection db = PoolTestBase.connect(lock.firstLine()); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
