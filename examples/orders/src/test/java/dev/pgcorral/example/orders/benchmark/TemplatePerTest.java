package dev.pgcorral.example.orders.benchmark;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Databases made by the tests themselves on one PostgreSQL server ({@code orders.benchmark.server}, a JDBC URL without
 * a database name, with {@code orders.benchmark.user} and the environment's {@code ORDERS_BENCHMARK_PASSWORD}): the application's
 * migrations once into a template, then {@code CREATE DATABASE … TEMPLATE} for the context and for every test method,
 * each dropped when done. The context's DataSources reach the running test's database (by its thread, or the one
 * test's running when there is one), so test classes share a context as they do with lock-service.
 */
final class TemplatePerTest implements ContextCustomizer, BeanPostProcessor {

    static final String BEAN = "templatePerTest";
    private static final String TEMPLATE = "orders_template";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static boolean templateMade;

    private final String server = System.getProperty("orders.benchmark.server");
    private final String user = System.getProperty("orders.benchmark.user", "postgres");
    private final String password = System.getenv().getOrDefault("ORDERS_BENCHMARK_PASSWORD", "");
    private final Map<Thread, Made> perTest = new ConcurrentHashMap<>();

    /** A test's database and a pool of connections to it, kept for the test (as lock-client-spring does). */
    private record Made(String name, HikariDataSource pool) {
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        makeTemplateOnce();
        String contextDatabase = create();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("templatePerTest", Map.of(
                "spring.datasource.url", server + contextDatabase,
                "spring.datasource.username", user,
                "spring.datasource.password", password,
                "spring.test.database.replace", "none")));
        context.getBeanFactory().registerSingleton(BEAN, this);
        context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
            if (event.getApplicationContext() == context) {
                perTest.values().forEach(this::drop);
                drop(contextDatabase);
            }
        });
    }

    /** Before a test method: a database of its own, from the template. */
    void begin() {
        String name = create();
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(server + name);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.setMinimumIdle(0);
        pool.setMaximumPoolSize(10);
        pool.setInitializationFailTimeout(-1);
        perTest.put(Thread.currentThread(), new Made(name, pool));
    }

    /** After it: dropped. */
    void end() {
        Made database = perTest.remove(Thread.currentThread());
        if (database != null) {
            drop(database);
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource) {
            return new DelegatingDataSource(dataSource) {
                @Override
                public DataSource getTargetDataSource() {
                    Made database = perTest.get(Thread.currentThread());
                    if (database == null && perTest.size() == 1) { // a server's thread, while one test runs
                        database = perTest.values().stream().findFirst().orElse(null);
                    }
                    return database == null ? super.getTargetDataSource() : database.pool();
                }
            };
        }
        return bean;
    }

    private void makeTemplateOnce() {
        synchronized (TemplatePerTest.class) {
            if (!templateMade) {
                admin("DROP DATABASE IF EXISTS " + TEMPLATE + " WITH (FORCE)");
                admin("CREATE DATABASE " + TEMPLATE);
                Flyway.configure().dataSource(server + TEMPLATE, user, password).load().migrate();
                templateMade = true;
            }
        }
    }

    private String create() {
        String database = "orders_test_" + NEXT.incrementAndGet();
        admin("CREATE DATABASE " + database + " TEMPLATE " + TEMPLATE);
        return database;
    }

    private void drop(Made database) {
        database.pool().close();
        drop(database.name());
    }

    private void drop(String database) {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private void admin(String sql) {
        try (Connection connection = DriverManager.getConnection(server + "postgres", user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** One context for all test classes alike, as with lock-service. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TemplatePerTest;
    }

    @Override
    public int hashCode() {
        return TemplatePerTest.class.hashCode();
    }
}
