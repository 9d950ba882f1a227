package dev.pgcorral.lock.client.spring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.ClassUtils;

import dev.pgcorral.lock.client.Lease;
import dev.pgcorral.lock.client.LockClient;

/**
 * A context's leases: the one its DataSource was made for, and with a fresh database per test method one per running
 * test. As a bean post-processor it wraps the context's DataSource beans so that each test's thread reaches its own
 * database: test methods that JUnit runs in parallel share the context but never a database. Work done on other
 * threads (an executor of the application's, say) reaches the context's database.
 */
final class TestLeases implements BeanPostProcessor, AutoCloseable {

    private static final boolean FLYWAY = ClassUtils.isPresent("org.flywaydb.core.Flyway", TestLeases.class.getClassLoader());

    private final LockClient client;
    private final Lease contextLease;
    private final Map<Thread, Lease> perTest = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TestLeases(LockClient client, Lease contextLease) {
        this.client = client;
        this.contextLease = contextLease;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource && !(bean instanceof PerTestDataSource)) {
            return new PerTestDataSource(dataSource, this);
        }
        return bean;
    }

    /** Leases a fresh database for the test running on this thread, points the DataSources at it, migrates it. */
    void begin(String marker, ApplicationContext context) {
        end(); // a test whose end was never seen
        if (closed) {
            throw new IllegalStateException("the Spring context of " + marker + " is closed");
        }
        perTest.put(Thread.currentThread(), client.lock(marker, client.settings().lockWait(), LockClient.LONG_LIVED));
        if (FLYWAY) {
            FlywayMigrations.migrate(context);
        }
    }

    /** Gives the database of the test that ran on this thread back. */
    void end() {
        Lease lease = perTest.remove(Thread.currentThread());
        if (lease != null) {
            lease.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        perTest.values().forEach(Lease::close);
        perTest.clear();
        contextLease.close();
    }

    private DataSource forThisThread() {
        Lease lease = perTest.get(Thread.currentThread());
        return lease == null ? null : lease.dataSource();
    }

    /** A DataSource bean that reaches the running test's database, or the context's outside a test. */
    static final class PerTestDataSource extends DelegatingDataSource {
        private final TestLeases leases;

        PerTestDataSource(DataSource contextDataSource, TestLeases leases) {
            super(contextDataSource);
            this.leases = leases;
        }

        @Override
        public DataSource getTargetDataSource() {
            DataSource test = leases.forThisThread();
            return test != null ? test : super.getTargetDataSource();
        }
    }

    /** Kept apart so Flyway's classes load only when Flyway is there. */
    private static final class FlywayMigrations {
        static void migrate(ApplicationContext context) {
            context.getBeansOfType(org.flywaydb.core.Flyway.class).values().forEach(org.flywaydb.core.Flyway::migrate);
        }
    }
}
