package dev.pgcorral.lock.api;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.pool.PoolStatus;

/** {@code /actuator/health}: down when a PostgreSQL server of the pool is not running. */
@Component("poolHealthIndicator")
public class PoolHealth implements HealthIndicator {

    private final Pool pool;

    public PoolHealth(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Health health() {
        PoolStatus status = pool.status();
        Health.Builder health = pool.healthy() ? Health.up() : Health.down();
        if (status.pendingTemplate() != null) {
            health.withDetail("pendingTemplate", status.pendingTemplate());
        }
        return health.withDetail("status", status.status())
                .withDetail("runtime", status.runtime())
                .withDetail("free", status.counts().free())
                .withDetail("locked", status.counts().locked())
                .withDetail("templateHash", String.valueOf(status.templateHash()))
                .withDetail("instances", status.instances())
                .build();
    }
}
