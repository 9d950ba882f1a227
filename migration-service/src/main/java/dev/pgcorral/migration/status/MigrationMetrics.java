package dev.pgcorral.migration.status;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges under {@code pgcorral.migration.*}, read from the live status: migrations, those running and
 * failed, what running clones have moved and move per second, and how far behind the follows are (the
 * largest lag of all, so one alert covers every migration).
 */
public class MigrationMetrics implements MeterBinder {

    private final MigrationStatus status;

    public MigrationMetrics(MigrationStatus status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "pgcorral.migration.migrations", "migrations", s -> s.migrations().size());
        gauge(registry, "pgcorral.migration.migrations.running", "migrations running",
                s -> s.migrations().stream().filter(m -> "running".equals(m.status())).count());
        gauge(registry, "pgcorral.migration.migrations.failed", "migrations whose last run failed",
                s -> s.migrations().stream().filter(m -> "failed".equals(m.status())).count());
        gauge(registry, "pgcorral.migration.copy.bytes", "bytes moved by the clones running, all migrations",
                s -> s.migrations().stream().filter(m -> "running".equals(m.status())).mapToLong(MigrationStatus.MigrationState::bytesCopied).sum());
        gauge(registry, "pgcorral.migration.copy.rows", "rows copied by the clones running, all migrations",
                s -> s.migrations().stream().filter(m -> "running".equals(m.status())).mapToLong(MigrationStatus.MigrationState::rowsCopied).sum());
        gauge(registry, "pgcorral.migration.migrations.streaming", "migrations following their source",
                s -> s.migrations().stream().filter(m -> m.follow() != null).count());
        gauge(registry, "pgcorral.migration.follow.lag.bytes", "the largest follow lag in bytes of WAL (source position minus applied; "
                        + "one not known counts as 0)",
                s -> s.migrations().stream().filter(m -> m.follow() != null).mapToLong(m -> Math.max(0, m.follow().lagBytes())).max().orElse(0));
        gauge(registry, "pgcorral.migration.follow.lag.seconds", "the largest follow lag in seconds (now minus the commit time of the "
                        + "oldest source transaction received and not applied; one not known counts as 0)",
                s -> s.migrations().stream().filter(m -> m.follow() != null).mapToDouble(m -> m.follow().lagSeconds()).filter(seconds -> seconds >= 0).max().orElse(0));
        gauge(registry, "pgcorral.migration.follow.transactions", "source transactions applied by the follows running",
                s -> s.migrations().stream().filter(m -> m.follow() != null).mapToLong(m -> m.follow().transactions()).sum());
        gauge(registry, "pgcorral.migration.copy.bytes.rate", "bytes per second over the last minute, clones running",
                s -> s.migrations().stream().mapToDouble(MigrationStatus.MigrationState::bytesPerSecond).sum());
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<MigrationStatus.Snapshot> value) {
        Gauge.builder(name, status, st -> value.applyAsDouble(st.snapshot())).description(description).register(registry);
    }
}
