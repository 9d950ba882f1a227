package dev.pgcorral.lock.client.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.ClassUtils;

import dev.pgcorral.lock.client.Lease;
import dev.pgcorral.lock.client.LockClient;

/**
 * A context's leases: the one its DataSource was made for, and with a fresh database per test method the current
 * one. As a bean post-processor it wraps the context's DataSource beans so they can be switched to a new database.
 */
final class TestLeases implements BeanPostProcessor, AutoCloseable {

    private static final boolean FLYWAY = ClassUtils.isPresent("org.flywaydb.core.Flyway", TestLeases.class.getClassLoader());

    private final LockClient client;
    private final Lease contextLease;
    private final List<Switchable> dataSources = new CopyOnWriteArrayList<>();
    private Lease current;

    TestLeases(LockClient client, Lease contextLease) {
        this.client = client;
        this.contextLease = contextLease;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource && !(bean instanceof Switchable)) {
            Switchable switchable = new Switchable(dataSource);
            dataSources.add(switchable);
            return switchable;
        }
        return bean;
    }

    /** Gives the last test's database back, leases a fresh one for {@code marker}, points the DataSources at it, migrates it. */
    synchronized void next(String marker, ApplicationContext context) {
        if (current != null) {
            current.close(); // first: a pool with one database free is enough for the next test
            current = null;
        }
        current = client.lock(marker, client.settings().lockWait(), LockClient.LONG_LIVED);
        dataSources.forEach(ds -> ds.setTargetDataSource(current.dataSource()));
        if (FLYWAY) {
            FlywayMigrations.migrate(context);
        }
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
        }
        contextLease.close();
    }

    /** A DataSource bean whose database the next test method can change. */
    static final class Switchable extends DelegatingDataSource {
        Switchable(DataSource target) {
            super(target);
        }
    }

    /** Kept apart so Flyway's classes load only when Flyway is there. */
    private static final class FlywayMigrations {
        static void migrate(ApplicationContext context) {
            context.getBeansOfType(org.flywaydb.core.Flyway.class).values().forEach(org.flywaydb.core.Flyway::migrate);
        }
    }
}
