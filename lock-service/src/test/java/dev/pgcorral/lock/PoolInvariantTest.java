package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.pgcorral.lock.pool.DatabaseState;
import dev.pgcorral.lock.pool.PoolStatus;
import tools.jackson.databind.JsonNode;

/**
 * Many clients doing thousands of randomized lock / release / disconnect / force-release / expiry
 * cycles over both protocols against 6 databases. Every holder writes its lease id into its database
 * and must see only its own; afterwards no database is leaked and none was ever granted twice.
 */
class PoolInvariantTest extends PoolTestBase {

    private static final int CLIENTS = 32;
    private static final int CYCLES = 2000;

    private final Map<String, String> holderOf = new ConcurrentHashMap<>();
    private final AtomicInteger cycles = new AtomicInteger();
    private final AtomicInteger abandonedWaits = new AtomicInteger();
    private final Map<String, AtomicInteger> endings = new ConcurrentHashMap<>();

    @Test
    void noDatabaseIsEverHeldTwiceOrLeaked() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int clientId = i;
            running.add(clients.submit(() -> {
                while (cycles.getAndIncrement() < CYCLES) {
                    cycle("client-" + clientId);
                }
                return null;
            }));
        }
        for (Future<?> client : running) {
            client.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();

        // a closed pgflock connection is noticed by the server a moment later, so its database
        // may still read LOCKED here: wait (bounded) for the releases, a leak never ends
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PoolStatus status = pool.status();
            assertThat(status.databases()).allSatisfy(db ->
                    assertThat(db.state()).isIn(DatabaseState.FREE, DatabaseState.RESETTING));
            assertThat(pool.leases()).isEmpty();
            assertThat(status.waiters()).isEmpty();
        });
        awaitPoolFull();
        assertThat(endings.keySet()).contains("close", "delete", "force", "expire", "unlock");
        assertThat(abandonedWaits.get()).isPositive();
    }

    private void cycle(String marker) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int roll = random.nextInt(100);
        if (roll < 5) {
            PgflockConnection waiter = PgflockConnection.send(port, marker + "-leaver", PASSWORD);
            Thread.sleep(random.nextInt(3));
            waiter.close();
            abandonedWaits.incrementAndGet();
            return;
        }
        if (roll < 60) {
            pgflockCycle(marker, random);
        } else {
            apiCycle(marker, random);
        }
    }

    private void pgflockCycle(String marker, ThreadLocalRandom random) throws Exception {
        try (PgflockConnection lock = PgflockConnection.lock(port, marker, PASSWORD)) {
            assertThat(lock.status).isEqualTo(200);
            String url = lock.firstLine();
            String leaseId = lock.headers.get("x-lease-id");
            use(url, leaseId);
            int end = random.nextInt(100);
            if (end < 70) {
                ended("close");
                lock.close();
            } else if (end < 85) {
                ended("unlock");
                assertThat(client.post("/unlock?" + client.auth(marker), url).status()).isEqualTo(200);
                assertThat(lock.readToEnd()).isEmpty();
            } else if (end < 97) {
                ended("force");
                assertThat(client.post("/force-unlock?" + client.auth("admin"), url).body()).isEqualTo("Database force unlocked\n");
                assertThat(lock.readToEnd()).isEmpty();
            } else {
                ended("expire");
                assertThat(client.apiPost("/api/v1/leases/" + leaseId + "/extend", "{\"ttlSeconds\":1}").status()).isEqualTo(200);
                assertThat(lock.readToEnd()).isEmpty();
            }
        }
    }

    private void apiCycle(String marker, ThreadLocalRandom random) throws Exception {
        var taken = client.apiPost("/api/v1/leases", "{\"marker\":\"" + marker + "\",\"waitSeconds\":300}");
        assertThat(taken.status()).as(taken.body()).isEqualTo(201);
        JsonNode lease = taken.json();
        String leaseId = lease.get("id").asString();
        use(lease.get("postgresUrl").asString(), leaseId);
        int end = random.nextInt(100);
        if (end < 80) {
            ended("delete");
            assertThat(client.apiDelete("/api/v1/leases/" + leaseId).status()).isEqualTo(204);
        } else if (end < 97) {
            ended("force");
            var released = client.apiPost("/api/v1/force-release", "{\"port\":" + lease.get("port").asInt()
                    + ",\"database\":\"" + lease.get("database").asString() + "\"}");
            assertThat(released.json().get("released").asInt()).isEqualTo(1);
        } else {
            ended("expire");
            client.apiPost("/api/v1/leases/" + leaseId + "/extend", "{\"ttlSeconds\":1}");
            await().atMost(Duration.ofSeconds(10)).until(() -> client.apiGet("/api/v1/leases/" + leaseId).status() == 410);
        }
    }

    /** Claims the database for this lease, writes the lease id, and checks that only it is there. */
    private void use(String url, String leaseId) throws Exception {
        String database = url.substring(url.indexOf('@') + 1);
        String previous = holderOf.putIfAbsent(database, leaseId);
        assertThat(previous).as("database %s granted to %s while %s held it", database, leaseId, previous).isNull();
        Connection db = connect(url);
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO holder (lease_id) VALUES (?)")) {
            insert.setString(1, leaseId);
            insert.executeUpdate();
        }
        try (PreparedStatement select = db.prepareStatement("SELECT array_agg(lease_id) FROM holder");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            Array ids = rs.getArray(1);
            assertThat((Object[]) ids.getArray()).as("rows in %s", database).containsExactly(leaseId);
        }
        if (ThreadLocalRandom.current().nextBoolean()) {
            db.close();
        }
        holderOf.remove(database, leaseId);
        // a connection left open is the previous holder's problem: the reset terminates it
    }

    private void ended(String how) {
        endings.computeIfAbsent(how, k -> new AtomicInteger()).incrementAndGet();
    }
}
