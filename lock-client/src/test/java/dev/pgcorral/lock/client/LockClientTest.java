package dev.pgcorral.lock.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real lock-service (its jar in a process of its own, {@value LockServiceUnderTest#DATABASES} databases). */
class LockClientTest {

    private static LockServiceUnderTest service;
    private static LockClient client;
    private final List<Lease> leases = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        service = LockServiceUnderTest.shared();
        client = service.client();
    }

    @AfterEach
    void giveBack() {
        leases.forEach(Lease::close);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status().free() == LockServiceUnderTest.DATABASES);
    }

    private Lease lock(String marker) {
        Lease lease = client.lock(marker, Duration.ofSeconds(30), null);
        leases.add(lease);
        return lease;
    }

    @Test
    void aLeaseIsAUsableDatabaseOfItsOwnAndCloseGivesItBack() throws Exception {
        Lease lease = lock("LockClientTest.usable");
        assertThat(lease.jdbcUrl()).isEqualTo("jdbc:postgresql://" + lease.host() + ":" + lease.port() + "/" + lease.database());
        assertThat(lease.id()).isNotBlank();
        assertThat(lease.expiresAt()).isAfter(Instant.now());
        assertThat(lease.toString()).doesNotContain(lease.password());
        try (Connection db = lease.dataSource().getConnection(); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database(), current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(lease.database());
            assertThat(rs.getString(2)).isEqualTo(lease.user());
        }
        assertThat(client.status().locked()).isEqualTo(1);
        assertThat(lease.held()).isTrue();

        lease.close();

        assertThat(lease.held()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status().locked() == 0);
    }

    @Test
    void withEveryDatabaseHeldALockThatMayNotWaitSaysSoAndChangesNothing() {
        for (int i = 0; i < LockServiceUnderTest.DATABASES; i++) {
            lock("LockClientTest.full");
        }
        assertThatThrownBy(() -> client.lock("LockClientTest.one-more", Duration.ZERO, null))
                .isInstanceOf(NoDatabaseAvailableException.class)
                .hasMessageContaining("had no database free").hasNoCause();
        PoolStatus status = client.status();
        assertThat(status.locked()).isEqualTo(LockServiceUnderTest.DATABASES);
        assertThat(status.waiting()).isZero();
    }

    @Test
    void aLockThatWaitsGetsTheFirstDatabaseGivenBack() {
        for (int i = 0; i < LockServiceUnderTest.DATABASES; i++) {
            lock("LockClientTest.queue");
        }
        CompletableFuture<Lease> queued = CompletableFuture.supplyAsync(() -> client.lock("LockClientTest.queued", Duration.ofSeconds(60), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status().waiting() == 1);
        assertThat(queued).isNotDone();

        leases.get(0).close();

        Lease granted = queued.orTimeout(60, TimeUnit.SECONDS).join();
        leases.add(granted);
        assertThat(granted.held()).isTrue();
        assertThat(granted.database()).isEqualTo(leases.get(0).database());
    }

    @Test
    void aLeaseWithATimeToLiveEndsByItself() {
        Lease lease = client.lock("LockClientTest.ttl", Duration.ofSeconds(30), Duration.ofSeconds(1));
        leases.add(lease);
        assertThat(lease.expiresAt()).isBefore(Instant.now().plusSeconds(30));

        await().atMost(Duration.ofSeconds(30)).until(() -> !lease.held());
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status().locked() == 0);
    }

    @Test
    void releaseAllGivesBackEveryDatabaseAndTheirLeasesKnow() {
        Lease a = lock("LockClientTest.all-a");
        Lease b = lock("LockClientTest.all-b");

        assertThat(client.releaseAll()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> !a.held() && !b.held());
    }

    @Test
    void aWrongPasswordGetsOneClearMessage() {
        LockClient wrong = new LockClient(service.url(), "not-the-password");

        assertThatThrownBy(() -> wrong.lock("LockClientTest.wrong", Duration.ZERO, null))
                .isInstanceOf(LockAuthenticationException.class)
                .hasMessageContaining("refused the password").hasMessageContaining("PGCORRAL_LOCK_PASSWORD").hasNoCause();
        assertThatThrownBy(wrong::releaseAll).isInstanceOf(LockAuthenticationException.class);
        assertThatThrownBy(wrong::checkAccess).isInstanceOf(LockAuthenticationException.class).hasNoCause();
        client.checkAccess();
        assertThat(client.status().locked()).isZero();
    }

    @Test
    void aLockServiceThatIsNotThereGetsOneClearMessage() throws Exception {
        LockClient nowhere = new LockClient(java.net.URI.create("http://127.0.0.1:" + LockServiceUnderTest.freePort()), "pgflock");

        assertThatThrownBy(() -> nowhere.lock("LockClientTest.nowhere"))
                .isInstanceOf(LockServiceUnreachableException.class)
                .hasMessageContaining("cannot reach lock-service at http://127.0.0.1:").hasMessageContaining("PGCORRAL_LOCK_URL").hasNoCause();
        assertThatThrownBy(nowhere::status).isInstanceOf(LockServiceUnreachableException.class);
        assertThatThrownBy(nowhere::checkAccess).isInstanceOf(LockServiceUnreachableException.class);
    }

    @Test
    void aBadMarkerIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> client.lock("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.lock("m".repeat(1001))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.lock("m", Duration.ofSeconds(5), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aJvmKilledWhileHoldingGivesItsDatabasesBackAtOnce() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldingJvm.class.getName(), "LockClientTest.killed", "2")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("PGCORRAL_LOCK_URL", service.url().toString());
        builder.environment().put("PGCORRAL_LOCK_PASSWORD", LockServiceUnderTest.PASSWORD);
        Process holder = builder.start();
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).startsWith("HELD ");
            assertThat(client.status().locked()).isEqualTo(2);

            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> client.status().locked() == 0);
        } finally {
            holder.destroyForcibly();
        }
    }
}
