package dev.pgcorral.lock.client.spring;

import javax.sql.DataSource;

import org.springframework.util.ClassUtils;

import dev.pgcorral.lock.client.Lease;

/**
 * A test method's database: its lease, and where the test's connections come from. With HikariCP on the classpath (as
 * in any Spring Boot application with a DataSource) a small pool kept for the test, so each repository call does not
 * open a connection of its own (and authenticate again); closed, with its connections, before the lease goes back.
 */
final class TestDatabase implements AutoCloseable {

    private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", TestDatabase.class.getClassLoader());

    private final Lease lease;
    private final DataSource dataSource;

    TestDatabase(Lease lease) {
        this.lease = lease;
        this.dataSource = HIKARI ? Pooled.of(lease) : lease.dataSource();
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        try {
            if (dataSource instanceof AutoCloseable pool) {
                pool.close();
            }
        } catch (Exception e) {
            // the lease's return below ends its connections anyway
        } finally {
            lease.close();
        }
    }

    /** Kept apart so HikariCP's classes load only when it is there. */
    private static final class Pooled {
        static DataSource of(Lease lease) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setJdbcUrl(lease.jdbcUrl());
            config.setUsername(lease.user());
            config.setPassword(lease.password());
            config.setMinimumIdle(0); // connections are opened as the test asks for them
            config.setMaximumPoolSize(10);
            config.setInitializationFailTimeout(-1);
            config.setPoolName("pgcorral-test-" + lease.id());
            return new com.zaxxer.hikari.HikariDataSource(config);
        }
    }
}
