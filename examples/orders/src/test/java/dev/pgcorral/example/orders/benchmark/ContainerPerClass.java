package dev.pgcorral.example.orders.benchmark;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A PostgreSQL container per test class, started before its Spring context and stopped with it (the listener closes
 * the context after the class). The image is {@code orders.benchmark.image} (default
 * {@code pgcorral-offline/postgres:15}), standing in for {@code postgres}: no registry is reachable here.
 */
final class ContainerPerClass implements ContextCustomizer {

    static final String BEAN = "containerPerClass";
    static final AtomicLong STARTS_NANOS = new AtomicLong();
    static final AtomicInteger STARTS = new AtomicInteger();

    private final Class<?> testClass;

    ContainerPerClass(Class<?> testClass) {
        this.testClass = testClass;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        DockerImageName image = DockerImageName.parse(System.getProperty("orders.benchmark.image", "pgcorral-offline/postgres:15"))
                .asCompatibleSubstituteFor("postgres");
        PostgreSQLContainer container = new PostgreSQLContainer(image);
        STARTS.incrementAndGet();
        long start = System.nanoTime();
        container.start();
        STARTS_NANOS.addAndGet(System.nanoTime() - start);
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("containerPerClass", Map.of(
                "spring.datasource.url", container.getJdbcUrl(),
                "spring.datasource.username", container.getUsername(),
                "spring.datasource.password", container.getPassword(),
                "spring.flyway.clean-disabled", "false",
                "spring.test.database.replace", "none")));
        context.getBeanFactory().registerSingleton(BEAN, container);
        context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
            if (event.getApplicationContext() == context) {
                container.stop();
            }
        });
    }

    /** A context, and so a container, per test class. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ContainerPerClass c && c.testClass == testClass;
    }

    @Override
    public int hashCode() {
        return testClass.hashCode();
    }
}
