package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgcorral.lock.pool.DatabaseState;
import dev.pgcorral.lock.pool.Lease;
import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.RestartException;
import tools.jackson.databind.JsonNode;

/**
 * Chaos on real PostgreSQL: clients lock, release, disconnect, extend and let leases expire over both
 * protocols while, at random, the pool restarts, a server is killed with SIGKILL (also while a restart
 * brings it up) and the template's migrations change. Throughout: no database is held by two leases
 * and every holder sees only its own rows; afterwards none is leaked. Bounded in time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.lock.port=0",
        "pgcorral.lock.instances=2",
        "pgcorral.lock.databases-per-instance=3",
        "pgcorral.lock.template.watch-interval=300ms"})
@DirtiesContext
class PoolChaosTest {

    private static final Duration CHAOS = Duration.ofSeconds(40);
    private static final int CLIENTS = 10;
    private static final String PASSWORD = "pgflock";
    private static final Path MIGRATIONS;

    static {
        try {
            MIGRATIONS = Files.createTempDirectory("pgcorral-chaos");
            Files.writeString(MIGRATIONS.resolve("V1__holder.sql"), "CREATE TABLE holder (lease_id text NOT NULL);\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void migrations(DynamicPropertyRegistry registry) {
        registry.add("pgcorral.lock.template.migrations", () -> "filesystem:" + MIGRATIONS);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try (var files = Files.walk(MIGRATIONS)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Autowired
    Pool pool;
    @Autowired
    LockConfiguration.FrontPort front;

    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> happened = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private LockServiceClient client;

    @Test
    void noDoubleGrantNoDirtyDatabaseNoLeakUnderRestartsKillsAndTemplateChanges() throws Exception {
        client = new LockServiceClient(front.port(), PASSWORD);
        List<Path> dataDirectories = dataDirectories();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 2);
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String marker = "client-" + i;
            work.add(threads.submit(() -> {
                while (running.get()) {
                    cycle(marker);
                }
                return null;
            }));
        }
        work.add(threads.submit(this::watchLeases));
        Future<?> chaos = threads.submit(() -> chaos(dataDirectories));
        chaos.get(CHAOS.toSeconds() + 120, TimeUnit.SECONDS);
        running.set(false);
        for (Future<?> f : work) {
            f.get(3, TimeUnit.MINUTES);
        }
        threads.shutdown();

        pool.releaseAll();
        await().atMost(Duration.ofMinutes(2)).until(() -> pool.status().counts().free() == 6);
        assertThat(violations).isEmpty();
        assertThat(pool.leases()).isEmpty();
        assertThat(pool.status().databases()).allSatisfy(db -> assertThat(db.state()).isEqualTo(DatabaseState.FREE));
        assertThat(pool.status().waiters()).isEmpty();
        assertThat(happened.keySet()).contains("restart", "kill", "kill-during-restart", "template", "expired",
                "pgflock", "json", "leaver");
        assertThat(happened.get("pgflock").get() + happened.get("json").get()).isGreaterThan(50);
    }

    // ---- chaos ----

    private Void chaos(List<Path> dataDirectories) throws Exception {
        long end = System.nanoTime() + CHAOS.toNanos();
        int migration = 2;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> kinds = new ArrayList<>(List.of("restart", "kill", "kill-during-restart", "template"));
        while (System.nanoTime() < end) {
            java.util.Collections.shuffle(kinds, random); // every kind of fault in every round, in random order
            for (String kind : kinds) {
                Thread.sleep(200 + random.nextInt(1200)); // random spacing of faults, not synchronization
                switch (kind) {
                    case "restart" -> restart("restart");
                    case "kill" -> kill(dataDirectories.get(random.nextInt(dataDirectories.size())), "kill");
                    case "kill-during-restart" -> {
                        Path victim = dataDirectories.get(random.nextInt(dataDirectories.size()));
                        String before = postmaster(victim);
                        Thread restarting = new Thread(() -> restart("restart-with-kill"));
                        restarting.start();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        String started = postmaster(victim);
                        while ((started == null || started.equals(before)) && System.nanoTime() < deadline) {
                            Thread.sleep(10); // polling for the new postmaster's pid file
                            started = postmaster(victim);
                        }
                        Thread.sleep(random.nextInt(800)); // somewhere in its template build or database creation
                        kill(victim, "kill-during-restart");
                        restarting.join(TimeUnit.MINUTES.toMillis(3));
                    }
                    default -> {
                        Files.writeString(MIGRATIONS.resolve("V" + migration + "__t" + migration + ".sql"),
                                "CREATE TABLE t" + migration + " (id int);\n");
                        migration++;
                        count("template");
                    }
                }
            }
        }
        return null;
    }

    private void restart(String what) {
        try {
            pool.restart();
        } catch (RestartException e) {
            // a restart that a kill interrupted fails; the server is brought back in the background
        }
        count(what);
    }

    private void kill(Path dataDirectory, String what) throws Exception {
        String pid = postmaster(dataDirectory);
        if (pid != null) {
            new ProcessBuilder("kill", "-9", pid).start().waitFor();
            count(what);
        }
    }

    /** The pid of the live postmaster of that data directory, or null. */
    private static String postmaster(Path dataDirectory) {
        try {
            String pid = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).strip();
            Path cmdline = Path.of("/proc", pid, "cmdline");
            return Files.exists(cmdline) && Files.readString(cmdline).contains("postgres") ? pid : null;
        } catch (IOException | IndexOutOfBoundsException | java.nio.file.InvalidPathException notRunning) {
            return null;
        }
    }

    /** Every moment: the leases the pool holds are on distinct databases. */
    private Void watchLeases() throws InterruptedException {
        while (running.get()) {
            Set<String> databases = new HashSet<>();
            for (Lease lease : pool.leases()) {
                if (!databases.add(lease.connection().postgresUrl())) {
                    violations.add("two leases on " + lease.connection().redacted());
                }
            }
            Thread.sleep(10);
        }
        return null;
    }

    // ---- clients ----

    private void cycle(String marker) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            int roll = random.nextInt(100);
            if (roll < 5) {
                PgflockConnection leaver = PgflockConnection.send(front.port(), marker + "-leaver", PASSWORD);
                Thread.sleep(random.nextInt(5));
                leaver.close();
                count("leaver");
            } else if (roll < 55) {
                pgflockCycle(marker, random);
            } else {
                jsonCycle(marker, random);
            }
        } catch (IOException e) {
            // the lease ended under the client (restart, dead server): a closed connection is expected
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pgflockCycle(String marker, ThreadLocalRandom random) throws IOException, InterruptedException {
        try (PgflockConnection lock = PgflockConnection.lock(front.port(), marker, PASSWORD)) {
            if (lock.status != 200) {
                return;
            }
            String url = lock.firstLine();
            if (url == null || url.isEmpty()) {
                return;
            }
            use(url, lock.headers.get("x-lease-id"), random);
            count("pgflock");
            if (random.nextInt(4) == 0) {
                client.post("/unlock?" + client.auth(marker), url);
            }
        }
    }

    private void jsonCycle(String marker, ThreadLocalRandom random) throws InterruptedException {
        int ttl = 1 + random.nextInt(4);
        var taken = client.apiPost("/api/v1/leases", "{\"marker\":\"" + marker + "\",\"waitSeconds\":60,\"ttlSeconds\":" + ttl + "}");
        if (taken.status() != 201) {
            return;
        }
        JsonNode lease = taken.json();
        String id = lease.get("id").asString();
        use(lease.get("postgresUrl").asString(), id, random);
        count("json");
        int end = random.nextInt(10);
        if (end == 0) {
            client.apiPost("/api/v1/leases/" + id + "/extend", "{\"ttlSeconds\":1}");
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.lease(id).isEmpty());
            count("expired");
        } else if (end == 1) {
            client.apiPost("/api/v1/leases/" + id + "/extend", "{\"ttlSeconds\":30}");
            client.apiDelete("/api/v1/leases/" + id);
        } else {
            client.apiDelete("/api/v1/leases/" + id);
        }
    }

    /** Writes the lease id into the database and checks that it is the only one there. */
    private void use(String url, String leaseId, ThreadLocalRandom random) throws InterruptedException {
        try (Connection db = PoolTestBase.connect(url)) {
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM holder")) {
                rs.next();
                if (rs.getInt(1) != 0) {
                    violations.add(url.replaceAll(":[^:@/]*@", "@") + " handed to " + leaseId + " with another holder's rows");
                }
            }
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO holder (lease_id) VALUES (?)")) {
                insert.setString(1, leaseId);
                insert.executeUpdate();
            }
            Thread.sleep(random.nextInt(30));
            try (PreparedStatement select = db.prepareStatement("SELECT array_agg(lease_id) FROM holder");
                 ResultSet rs = select.executeQuery()) {
                rs.next();
                Array ids = rs.getArray(1);
                List<Object> seen = List.of((Object[]) ids.getArray());
                if (!seen.equals(List.of(leaseId))) {
                    violations.add("holder " + leaseId + " saw " + seen);
                }
            }
        } catch (SQLException e) {
            // only a lease that the pool ended (restart, dead server, expiry) may lose its database
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> pool.lease(leaseId).isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException stillHeld) {
                violations.add("lease " + leaseId + " is active but its database failed: " + e.getMessage());
            }
        }
    }

    private List<Path> dataDirectories() throws SQLException {
        List<Path> dirs = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            try (Connection admin = pool.instance(i).orElseThrow().connect("postgres"); Statement st = admin.createStatement();
                 ResultSet rs = st.executeQuery("SHOW data_directory")) {
                rs.next();
                dirs.add(Path.of(rs.getString(1)));
            }
        }
        return dirs;
    }

    private void count(String what) {
        happened.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }
}
