package dev.pgcorral.replay.status;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges under {@code pgcorral.replay.*}, read from the live status: sessions, failed sessions, capture lag
 * (the largest over the sessions), changes stored per second, restores under way. Entries stored are
 * counted by capture ({@code pgcorral.replay.capture.entries}).
 */
public class ReplayMetrics implements MeterBinder {

    private final ReplayStatus status;

    public ReplayMetrics(ReplayStatus status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "pgcorral.replay.sessions", "sessions", s -> s.sessions().size());
        gauge(registry, "pgcorral.replay.sessions.failed", "sessions whose capture is failing and being retried",
                s -> s.sessions().stream().filter(x -> "FAILED".equals(x.state())).count());
        gauge(registry, "pgcorral.replay.capture.lag.bytes", "WAL not yet stored, largest over the sessions",
                s -> s.sessions().stream().mapToLong(ReplayStatus.SessionStatus::lagBytes).max().orElse(0));
        gauge(registry, "pgcorral.replay.capture.lag.seconds", "age of the last stored commit while there is lag, largest over the sessions",
                s -> s.sessions().stream().mapToDouble(ReplayStatus.SessionStatus::lagSeconds).max().orElse(0));
        gauge(registry, "pgcorral.replay.capture.rate", "change log entries stored per second, all sessions",
                s -> s.sessions().stream().mapToDouble(ReplayStatus.SessionStatus::changesPerSecond).sum());
        gauge(registry, "pgcorral.replay.restores.running", "restores under way", s -> s.restores().size());
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<ReplayStatus.Snapshot> value) {
        Gauge.builder(name, status, st -> value.applyAsDouble(st.snapshot())).description(description).register(registry);
    }
}
