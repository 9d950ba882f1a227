package dev.pgcorral.lock.pool;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

/**
 * lock-service's meters (names in {@link LockMetrics}), and the lock wait figures the status shows. The
 * timers publish their 0.5, 0.95 and 0.99 quantiles (a Prometheus summary); they publish no histogram
 * buckets, as Prometheus would then show the buckets and drop the quantiles.
 */
final class PoolMetrics {

    private final Timer wait;
    private final Timer reset;
    private final Counter grants;
    private final Counter resetFailures;
    private final Map<LeaseEnd, Counter> ends = new EnumMap<>(LeaseEnd.class);

    PoolMetrics(MeterRegistry registry) {
        this.wait = Timer.builder(LockMetrics.WAIT).description("time from a lock request to its lease")
                .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        this.reset = Timer.builder(LockMetrics.RESET).description("drop and re-create of a database from the template")
                .publishPercentiles(0.5, 0.95, 0.99).distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        this.grants = Counter.builder(LockMetrics.GRANTS).description("leases granted").register(registry);
        this.resetFailures = Counter.builder(LockMetrics.RESET_FAILURES).description("failed resets").register(registry);
        for (LeaseEnd reason : LeaseEnd.values()) {
            ends.put(reason, Counter.builder(LockMetrics.ENDS).description("leases ended, by reason")
                    .tag("reason", reason.name().toLowerCase()).register(registry));
        }
    }

    /** Gauges of the ledger's databases per state and of its queue. */
    void watch(LeaseLedger ledger, MeterRegistry registry) {
        for (DatabaseState state : DatabaseState.values()) {
            Gauge.builder(LockMetrics.DATABASES, ledger, l -> l.count(state))
                    .tag("state", state.name().toLowerCase()).description("databases per state").register(registry);
        }
        Gauge.builder(LockMetrics.WAITING, ledger, LeaseLedger::waiting).description("requests waiting").register(registry);
    }

    void granted(long waitedNanos) {
        wait.record(waitedNanos, TimeUnit.NANOSECONDS);
        grants.increment();
    }

    void ended(LeaseEnd reason) {
        ends.get(reason).increment();
    }

    void resetTook(long nanos) {
        reset.record(nanos, TimeUnit.NANOSECONDS);
    }

    void resetFailed() {
        resetFailures.increment();
    }

    /** Grants since start and the recent lock wait percentiles; not cheap, so never under the ledger's monitor. */
    PoolStatus.Stats stats() {
        double p50 = 0;
        double p95 = 0;
        double p99 = 0;
        for (ValueAtPercentile v : wait.takeSnapshot().percentileValues()) {
            double ms = v.value(TimeUnit.MILLISECONDS);
            if (v.percentile() == 0.5) {
                p50 = ms;
            } else if (v.percentile() == 0.95) {
                p95 = ms;
            } else if (v.percentile() == 0.99) {
                p99 = ms;
            }
        }
        return new PoolStatus.Stats((long) grants.count(), p50, p95, p99);
    }
}
