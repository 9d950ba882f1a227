package dev.pgcorral.lock.client.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import javax.sql.DataSource;

import org.springframework.util.ClassUtils;

import dev.pgcorral.lock.client.Lease;

/**
 * A test method's database: its lease, and where the test's connections come from. With HikariCP on the classpath (as
 * in any Spring Boot application with a DataSource) that is a pool for the database's name, kept by the context
 * ({@link Pools}), so each repository call does not open a connection of its own and authenticate again; when the
 * test ends its connections are closed (they are not reused once the database is reset), then the lease goes back.
 */
final class TestDatabase implements AutoCloseable {

    private final Lease lease;
    private final DataSource dataSource;
    private final Pools pools;

    TestDatabase(Lease lease, Pools pools) {
        this.lease = lease;
        this.pools = pools;
        this.dataSource = pools.dataSource(lease);
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        try {
            pools.emptyFor(lease);
        } finally {
            lease.close();
        }
    }

    /** A context's connection pools, one per database name its tests have leased; closed with the context. */
    static final class Pools implements AutoCloseable {
        private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", Pools.class.getClassLoader());

        private final Map<String, DataSource> byUrl = new ConcurrentHashMap<>();
        /** One housekeeping thread for all of them, not one each. */
        private final ScheduledThreadPoolExecutor housekeeping = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "pgcorral-test-pools");
            thread.setDaemon(true);
            return thread;
        });

        DataSource dataSource(Lease lease) {
            return HIKARI ? byUrl.computeIfAbsent(lease.jdbcUrl(), url -> Hikari.pool(lease, housekeeping)) : lease.dataSource();
        }

        /** Closes the connections to the lease's database: in use ones once they are given back. */
        void emptyFor(Lease lease) {
            DataSource pool = byUrl.get(lease.jdbcUrl());
            if (pool != null) {
                Hikari.evictAll(pool);
            }
        }

        @Override
        public void close() {
            byUrl.values().forEach(Hikari::close);
            byUrl.clear();
            housekeeping.shutdownNow();
        }
    }

    /** Kept apart so HikariCP's classes load only when it is there. */
    private static final class Hikari {
        static DataSource pool(Lease lease, ScheduledExecutorService housekeeping) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl(lease.jdbcUrl());
            config.setUsername(lease.user());
            config.setPassword(lease.password());
            config.setMinimumIdle(0); // connections are opened as a test asks for them
            config.setMaximumPoolSize(10);
            config.setInitializationFailTimeout(-1);
            config.setScheduledExecutor(housekeeping);
            config.setPoolName("pgcorral-" + lease.jdbcUrl().replaceAll(".*/", "").replaceAll("\\?.*", ""));
            return new com.zaxxer.hikari.HikariDataSource(config);
        }

        static void evictAll(DataSource pool) {
            com.zaxxer.hikari.HikariPoolMXBean bean = ((com.zaxxer.hikari.HikariDataSource) pool).getHikariPoolMXBean();
            if (bean != null) {
                bean.softEvictConnections();
            }
        }

        static void close(DataSource pool) {
            ((com.zaxxer.hikari.HikariDataSource) pool).close();
        }
    }
}
