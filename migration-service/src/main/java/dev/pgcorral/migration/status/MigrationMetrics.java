package dev.pgcorral.migration.status;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges under {@code pgcorral.migration.*}, read from the live status: migrations, those running and
 * failed, and what running clones have moved and move per second.
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
        gauge(registry, "pgcorral.migration.copy.bytes.rate", "bytes per second over the last minute, clones running",
                s -> s.migrations().stream().mapToDouble(MigrationStatus.MigrationState::bytesPerSecond).sum());
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<MigrationStatus.Snapshot> value) {
        Gauge.builder(name, status, st -> value.applyAsDouble(st.snapshot())).description(description).register(registry);
    }
}
