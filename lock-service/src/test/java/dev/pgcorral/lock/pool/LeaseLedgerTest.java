package dev.pgcorral.lock.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.lock.runtime.PostgresInstance;

/**
 * The ledger alone, on a hand-driven clock: the interleavings that once handed one database to two
 * leases, expiry on the monotonic clock, queue order, quarantine, and a seeded random walk that checks
 * the invariant after every step.
 */
class LeaseLedgerTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    private final ManualClock clock = new ManualClock();
    private final Recorder events = new Recorder();
    private final LeaseLedger ledger = new LeaseLedger(clock, events);
    private final List<PooledDatabase> server1 = databases(1, 2);
    private final List<PooledDatabase> server2 = databases(2, 2);

    LeaseLedgerTest() {
        ledger.register(server1);
        ledger.register(server2);
    }

    @Test
    void grantsFreeDatabasesThenQueuesFirstComeFirstServed() {
        ledger.serverUp(server1);
        Lease a = granted(ledger.acquire("a", TTL, Duration.ZERO));
        Lease b = granted(ledger.acquire("b", TTL, Duration.ZERO));
        assertThat(a.database()).isNotSameAs(b.database());
        Acquisition c = ledger.acquire("c", TTL, Duration.ZERO);
        Acquisition d = ledger.acquire("d", TTL, Duration.ZERO);
        assertThat(c.granted()).isNotDone();

        ledger.release(a, LeaseEnd.RELEASED);
        assertThat(c.granted()).as("a released database is reset before anyone gets it").isNotDone();
        assertThat(a.database().state).isEqualTo(DatabaseState.RESETTING);
        finishResets();
        assertThat(granted(c).database()).isSameAs(a.database());
        assertThat(d.granted()).isNotDone();
        assertInvariant();
    }

    @Test
    void aServerComingUpFreesOnlyItsUnavailableDatabasesNeverALockedOne() {
        ledger.serverUp(server1);
        Lease held = granted(ledger.acquire("held", TTL, Duration.ZERO));
        // a stale or repeated "server is up" (the restart race) must not free what is held
        ledger.serverUp(server1);
        assertThat(held.database().state).isEqualTo(DatabaseState.LOCKED);
        Lease other = granted(ledger.acquire("other", TTL, Duration.ZERO));
        assertThat(other.database()).isNotSameAs(held.database());
        assertThat(ledger.acquire("third", TTL, Duration.ZERO).granted()).as("server 1 has only two databases").isNotDone();
        assertInvariant();
    }

    @Test
    void aResetOfAnEarlierGenerationFreesNothing() {
        ledger.serverUp(server1);
        Lease lease = granted(ledger.acquire("x", TTL, Duration.ZERO));
        PooledDatabase db = lease.database();
        ledger.release(lease, LeaseEnd.RELEASED);
        long staleGeneration = events.resets.get(db);
        ledger.serverDown(server1, LeaseEnd.INSTANCE_DOWN);
        ledger.resetSucceeded(db, staleGeneration);
        assertThat(db.state).as("the server died while the reset ran").isEqualTo(DatabaseState.UNAVAILABLE);
        assertThat(ledger.resetFailed(db, staleGeneration, "boom")).isEmpty();
        assertThat(db.state).isEqualTo(DatabaseState.UNAVAILABLE);

        ledger.serverUp(server1);
        Lease next = granted(ledger.acquire("y", TTL, Duration.ZERO));
        ledger.serverDown(server1, LeaseEnd.RESTART);
        assertThat(next.ended()).isCompletedWithValue(LeaseEnd.RESTART);
        assertThat(ledger.view().databases()).allSatisfy(d -> assertThat(d.marker()).isNull());
        assertInvariant();
    }

    @Test
    void aFailedResetQuarantinesUntilARetrySucceeds() {
        ledger.serverUp(server1);
        Lease a = granted(ledger.acquire("a", TTL, Duration.ZERO));
        Lease b = granted(ledger.acquire("b", TTL, Duration.ZERO));
        ledger.release(a, LeaseEnd.RELEASED);
        PooledDatabase db = a.database();
        var retry = ledger.resetFailed(db, events.resets.get(db), "could not drop");
        assertThat(db.state).isEqualTo(DatabaseState.QUARANTINED);
        assertThat(db.lastError).isEqualTo("could not drop");
        Acquisition waiting = ledger.acquire("w", TTL, Duration.ZERO);
        assertThat(waiting.granted()).as("a quarantined database is never handed out").isNotDone();
        ledger.resetSucceeded(db, retry.getAsLong());
        assertThat(granted(waiting).database()).isSameAs(db);
        assertThat(db.lastError).isNull();
        assertThat(b.database().state).isEqualTo(DatabaseState.LOCKED);
        assertInvariant();
    }

    @Test
    void leasesExpireOnTheMonotonicClockNotTheWallClock() {
        ledger.serverUp(server1);
        Lease lease = granted(ledger.acquire("x", Duration.ofSeconds(10), Duration.ZERO));
        clock.wall = clock.wall.plus(Duration.ofHours(1)); // the wall clock jumps
        ledger.tick();
        assertThat(lease.ended()).isNotDone();
        clock.advance(Duration.ofSeconds(9));
        ledger.tick();
        assertThat(lease.ended()).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        ledger.tick();
        assertThat(lease.ended()).isCompletedWithValue(LeaseEnd.EXPIRED);
        assertThat(ledger.endOf(lease.id())).contains(LeaseEnd.EXPIRED);
        assertThat(events.wakeUps).contains(clock.nanos);
    }

    @Test
    void aTickReportsTheNextDeadlineSoOneTimerServesEveryLeaseAndWait() {
        ledger.serverUp(server1);
        Lease soon = granted(ledger.acquire("soon", Duration.ofSeconds(10), Duration.ZERO));
        Lease later = granted(ledger.acquire("later", Duration.ofSeconds(60), Duration.ZERO));
        ledger.acquire("waits", TTL, Duration.ofSeconds(30));
        long start = clock.nanos;
        assertThat(ledger.tick()).isEqualTo(start + Duration.ofSeconds(10).toNanos());
        ledger.release(soon, LeaseEnd.RELEASED);
        assertThat(ledger.tick()).as("a released lease leaves no deadline").isEqualTo(start + Duration.ofSeconds(30).toNanos());
        clock.advance(Duration.ofSeconds(30));
        assertThat(ledger.tick()).isEqualTo(start + Duration.ofSeconds(60).toNanos());
        ledger.release(later, LeaseEnd.RELEASED);
        assertThat(ledger.tick()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anExtensionRacingWithTheExpiryTimerWins() {
        ledger.serverUp(server1);
        Lease lease = granted(ledger.acquire("x", Duration.ofSeconds(10), Duration.ZERO));
        clock.advance(Duration.ofSeconds(10));
        ledger.extend(lease.id(), Duration.ofSeconds(30)); // lands just before the timer's tick
        ledger.tick();
        assertThat(lease.ended()).isNotDone();
        clock.advance(Duration.ofSeconds(30));
        ledger.tick();
        assertThat(lease.ended()).isCompletedWithValue(LeaseEnd.EXPIRED);
    }

    @Test
    void aWaitTimesOutAndLeavesTheQueue() {
        ledger.serverUp(server1);
        granted(ledger.acquire("a", TTL, Duration.ZERO));
        Lease b = granted(ledger.acquire("b", TTL, Duration.ZERO));
        Acquisition waiting = ledger.acquire("w", TTL, Duration.ofSeconds(3));
        Acquisition patient = ledger.acquire("p", TTL, Duration.ZERO);
        clock.advance(Duration.ofSeconds(3));
        ledger.tick();
        assertThat(waiting.granted()).isCompletedExceptionally();
        assertThat(cause(waiting)).isInstanceOf(WaitTimeoutException.class);
        ledger.release(b, LeaseEnd.RELEASED);
        finishResets();
        assertThat(granted(patient).database()).isSameAs(b.database());
    }

    @Test
    void anAbandonedWaiterIsNeverGrantedAndAnAbandonedHolderReleases() {
        ledger.serverUp(server1);
        Lease a = granted(ledger.acquire("a", TTL, Duration.ZERO));
        Acquisition holder = ledger.acquire("h", TTL, Duration.ZERO);
        Acquisition gone = ledger.acquire("gone", TTL, Duration.ZERO);
        gone.abandon();
        assertThat(ledger.view().waiters()).isEmpty();
        ledger.release(a, LeaseEnd.RELEASED);
        finishResets();
        assertThat(gone.granted()).isCancelled();
        assertThat(ledger.view().databases()).filteredOn(d -> d.state() == DatabaseState.FREE).hasSize(1);

        granted(holder);
        holder.abandon();
        assertThat(holder.granted().join().ended()).isCompletedWithValue(LeaseEnd.CLIENT_GONE);
        holder.abandon();
        assertInvariant();
    }

    @Test
    void closingEndsLeasesAndWaitsAndGrantsNothingMore() {
        ledger.serverUp(server1);
        Lease a = granted(ledger.acquire("a", TTL, Duration.ZERO));
        granted(ledger.acquire("b", TTL, Duration.ZERO));
        Acquisition waiting = ledger.acquire("w", TTL, Duration.ZERO);
        ledger.close();
        assertThat(a.ended()).isCompletedWithValue(LeaseEnd.SHUTDOWN);
        assertThat(cause(waiting)).isInstanceOf(PoolClosedException.class);
        assertThat(cause(ledger.acquire("late", TTL, Duration.ZERO))).isInstanceOf(PoolClosedException.class);
        ledger.serverUp(server1);
        assertThat(ledger.count(DatabaseState.FREE)).isZero();
    }

    @Test
    void releaseByMarkerAndByDatabase() {
        ledger.serverUp(server1);
        ledger.serverUp(server2);
        Lease a1 = granted(ledger.acquire("a", TTL, Duration.ZERO));
        granted(ledger.acquire("a", TTL, Duration.ZERO));
        Lease b = granted(ledger.acquire("b", TTL, Duration.ZERO));
        assertThat(ledger.releaseWhere("a", LeaseEnd.FORCE_RELEASED)).isEqualTo(2);
        assertThat(a1.ended()).isCompletedWithValue(LeaseEnd.FORCE_RELEASED);
        assertThat(ledger.releaseDatabase(b.database().port(), b.database().name, LeaseEnd.RELEASED))
                .isEqualTo(Pool.ReleaseResult.RELEASED);
        assertThat(ledger.releaseDatabase(b.database().port(), b.database().name, LeaseEnd.RELEASED))
                .isEqualTo(Pool.ReleaseResult.NOT_LOCKED);
        assertThat(ledger.releaseDatabase(1, "nope", LeaseEnd.RELEASED)).isEqualTo(Pool.ReleaseResult.NO_SUCH_DATABASE);
    }

    /** Random interleavings of every operation, with stale background work mixed in; the invariant after each step. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theInvariantHoldsAcrossRandomInterleavings(long seed) {
        Random random = new Random(seed);
        List<Acquisition> requests = new ArrayList<>();
        List<Map.Entry<PooledDatabase, Long>> staleResets = new ArrayList<>();
        ledger.serverUp(server1);
        ledger.serverUp(server2);
        for (int step = 0; step < 5_000; step++) {
            int roll = random.nextInt(100);
            List<PooledDatabase> server = random.nextBoolean() ? server1 : server2;
            if (roll < 30) {
                requests.add(ledger.acquire("m" + random.nextInt(5), Duration.ofSeconds(1 + random.nextInt(20)),
                        Duration.ofSeconds(random.nextInt(3))));
            } else if (roll < 45 && !requests.isEmpty()) {
                Acquisition r = requests.remove(random.nextInt(requests.size()));
                if (r.granted().isDone() && !r.granted().isCompletedExceptionally() && !r.granted().isCancelled()) {
                    ledger.release(r.granted().join(), LeaseEnd.RELEASED);
                } else {
                    r.abandon();
                }
            } else if (roll < 65 && !events.resets.isEmpty()) {
                var pending = new ArrayList<>(events.resets.entrySet());
                var reset = pending.get(random.nextInt(pending.size()));
                events.resets.remove(reset.getKey());
                staleResets.add(reset);
                if (random.nextInt(4) == 0) {
                    ledger.resetFailed(reset.getKey(), reset.getValue(), "failed")
                            .ifPresent(g -> events.resets.put(reset.getKey(), g));
                } else {
                    ledger.resetSucceeded(reset.getKey(), reset.getValue());
                }
            } else if (roll < 70 && !staleResets.isEmpty()) {
                var stale = staleResets.get(random.nextInt(staleResets.size()));
                ledger.resetSucceeded(stale.getKey(), stale.getValue());
            } else if (roll < 73) {
                ledger.serverDown(server, random.nextBoolean() ? LeaseEnd.RESTART : LeaseEnd.INSTANCE_DOWN);
            } else if (roll < 78) {
                ledger.serverUp(server);
            } else if (roll < 82) {
                ledger.refresh(server);
            } else if (roll < 90) {
                clock.advance(Duration.ofMillis(random.nextInt(3000)));
                ledger.tick();
            } else if (roll < 95) {
                List<Lease> held = ledger.leases();
                if (!held.isEmpty()) {
                    ledger.extend(held.get(random.nextInt(held.size())).id(), Duration.ofSeconds(1 + random.nextInt(10)));
                }
            } else {
                ledger.releaseWhere(random.nextBoolean() ? null : "m" + random.nextInt(5), LeaseEnd.FORCE_RELEASED);
            }
            assertInvariant();
        }
    }

    /** Every database is in one state; FREE ones are on the free list; a lease belongs to exactly one LOCKED database. */
    private void assertInvariant() {
        List<PooledDatabase> all = new ArrayList<>(server1);
        all.addAll(server2);
        Set<PooledDatabase> leased = new HashSet<>();
        for (Lease lease : ledger.leases()) {
            assertThat(leased.add(lease.database())).as("%s held by two leases", lease.database()).isTrue();
            assertThat(lease.database().lease).isSameAs(lease);
            assertThat(lease.database().state).isEqualTo(DatabaseState.LOCKED);
        }
        for (PooledDatabase db : all) {
            assertThat(db.state == DatabaseState.LOCKED).as("%s locked iff leased", db).isEqualTo(db.lease != null);
        }
        long free = all.stream().filter(db -> db.state == DatabaseState.FREE).count();
        assertThat(ledger.count(DatabaseState.FREE)).isEqualTo((int) free);
        if (free > 0) {
            assertThat(ledger.waiting()).as("nobody waits while a database is free").isZero();
        }
    }

    private void finishResets() {
        Map<PooledDatabase, Long> pending = new HashMap<>(events.resets);
        events.resets.clear();
        pending.forEach(ledger::resetSucceeded);
    }

    private static Lease granted(Acquisition request) {
        assertThat(request.granted()).as("granted").isCompleted();
        return request.granted().join();
    }

    private static Throwable cause(Acquisition request) {
        try {
            request.granted().get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private List<PooledDatabase> databases(int server, int count) {
        FakeInstance instance = new FakeInstance(server, 5000 + server);
        List<PooledDatabase> dbs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            dbs.add(new PooledDatabase(instance, "db" + i, clock.now()));
        }
        return dbs;
    }

    static final class ManualClock implements PoolClock {
        long nanos = 1_000;
        Instant wall = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            nanos += d.toNanos();
            wall = wall.plus(d);
        }

        @Override
        public long nanos() {
            return nanos;
        }

        @Override
        public Instant now() {
            return wall;
        }
    }

    static final class Recorder implements LedgerListener {
        final Map<PooledDatabase, Long> resets = new HashMap<>();
        final List<Long> wakeUps = new ArrayList<>();

        @Override
        public void resetNeeded(PooledDatabase database, long generation) {
            resets.put(database, generation);
        }

        @Override
        public void wakeAt(long nanos) {
            wakeUps.add(nanos);
        }

        @Override
        public void granted(long waitedNanos) {
        }

        @Override
        public void ended(LeaseEnd reason) {
        }

        @Override
        public void changed() {
        }
    }

    /** Only what the ledger reads of a server: its index, port and the connection details it hands out. */
    record FakeInstance(int index, int port) implements PostgresInstance {
        @Override
        public int majorVersion() {
            return 15;
        }

        @Override
        public String version() {
            return "15";
        }

        @Override
        public ConnectionDetails adminDetails(String database) {
            return clientDetails(database);
        }

        @Override
        public ConnectionDetails clientDetails(String database) {
            return new ConnectionDetails("127.0.0.1", port, database, "tester", "secret");
        }

        @Override
        public void start() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stop() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isAlive() {
            return true;
        }

        @Override
        public void onUnexpectedExit(Runnable listener) {
        }

        @Override
        public String logs(int lines) {
            return "";
        }
    }
}
