package dev.pgcorral.lock.client.spring;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
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
 * threads (a server's request threads, an executor's) reaches the database of the test running in the context while
 * only one is, else the context's.
 */
final class TestLeases implements BeanPostProcessor, AutoCloseable {

    private static final boolean FLYWAY = ClassUtils.isPresent("org.flywaydb.core.Flyway", TestLeases.class.getClassLoader());

    private static final ThreadLocal<Boolean> CONTEXT_DATABASE = new ThreadLocal<>();

    private final LockClient client;
    private final Lease contextLease;
    private final Map<Thread, TestDatabase> perTest = new ConcurrentHashMap<>();
    private final TestDatabase.Pools pools = new TestDatabase.Pools();
    private final FlywayMigrations migrations = FLYWAY ? new FlywayMigrations() : null;
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
        TestDatabase database = new TestDatabase(client.lock(marker, client.settings().lockWait(), LockClient.LONG_LIVED), pools);
        if (migrations != null) {
            CONTEXT_DATABASE.set(Boolean.TRUE); // not another running test's, while this one has none yet
            try {
                migrations.rememberContextHistories(context);
            } finally {
                CONTEXT_DATABASE.remove();
            }
        }
        perTest.put(Thread.currentThread(), database);
        if (migrations != null) {
            migrations.migrateIfBehind(context);
        }
    }

    /** Gives the database of the test that ran on this thread back. */
    void end() {
        TestDatabase database = perTest.remove(Thread.currentThread());
        if (database != null) {
            database.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        perTest.values().forEach(TestDatabase::close);
        perTest.clear();
        pools.close();
        contextLease.close();
    }

    /**
     * The database of the test running on this thread; on a thread of no test's (a server's request thread, an
     * executor's), the one test's running in the context when there is exactly one; else none (the context's).
     */
    private DataSource forThisThread() {
        if (CONTEXT_DATABASE.get() != null) {
            return null;
        }
        TestDatabase database = perTest.get(Thread.currentThread());
        if (database == null && perTest.size() == 1) {
            database = perTest.values().stream().findFirst().orElse(null);
        }
        return database == null ? null : database.dataSource();
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

    /**
     * Migrates a test's database with the context's Flyway beans, unless its schema history is the one the context's
     * database has (as when lock-service's template holds the migrations): Flyway's own check for nothing to do scans
     * and validates every migration, which took longer than the lease. Kept apart so Flyway's classes load only when
     * Flyway is there.
     */
    private static final class FlywayMigrations {
        private final Map<org.flywaydb.core.Flyway, String> contextHistories = new ConcurrentHashMap<>();

        void rememberContextHistories(ApplicationContext context) {
            flyways(context).forEach(flyway -> contextHistories.computeIfAbsent(flyway, FlywayMigrations::history));
        }

        void migrateIfBehind(ApplicationContext context) {
            for (org.flywaydb.core.Flyway flyway : flyways(context)) {
                String history = history(flyway);
                if (history.isEmpty() || !history.equals(contextHistories.get(flyway))) {
                    flyway.migrate();
                }
            }
        }

        private static Collection<org.flywaydb.core.Flyway> flyways(ApplicationContext context) {
            return context.getBeansOfType(org.flywaydb.core.Flyway.class).values();
        }

        /** The successful migrations in Flyway's history table, "" when there is none (or it cannot be read). */
        private static String history(org.flywaydb.core.Flyway flyway) {
            org.flywaydb.core.api.configuration.Configuration configuration = flyway.getConfiguration();
            String schema = configuration.getDefaultSchema() != null ? configuration.getDefaultSchema()
                    : configuration.getSchemas().length > 0 ? configuration.getSchemas()[0] : null;
            String table = (schema == null ? "" : quote(schema) + ".") + quote(configuration.getTable());
            try (Connection connection = configuration.getDataSource().getConnection();
                    PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                exists.setString(1, table);
                try (ResultSet found = exists.executeQuery()) {
                    if (!found.next() || !found.getBoolean(1)) {
                        return "";
                    }
                }
                try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(
                        "SELECT coalesce(string_agg(installed_rank || ':' || coalesce(version, '') || ':' || coalesce(checksum::text, ''), "
                                + "',' ORDER BY installed_rank), '') FROM " + table + " WHERE success")) {
                    return rows.next() ? rows.getString(1) : "";
                }
            } catch (SQLException e) {
                return ""; // Flyway's migrate then runs, and reports what is wrong
            }
        }

        private static String quote(String identifier) {
            return "\"" + identifier.replace("\"", "\"\"") + "\"";
        }
    }
}
