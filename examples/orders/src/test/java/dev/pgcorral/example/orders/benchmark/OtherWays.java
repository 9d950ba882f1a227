package dev.pgcorral.example.orders.benchmark;

import java.util.List;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;

/**
 * The benchmark's other ways to give each test a clean database, for the test classes that ask for one
 * ({@link AutoConfigurePgcorralDatabase}). Registered in {@code META-INF/spring.factories}; inert unless
 * {@code orders.benchmark.way} is {@code template} or {@code testcontainers}.
 */
public final class OtherWays implements ContextCustomizerFactory {

    static final String WAY = "orders.benchmark.way";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        if (TestContextAnnotationUtils.findMergedAnnotation(testClass, AutoConfigurePgcorralDatabase.class) == null) {
            return null;
        }
        String way = System.getProperty(WAY, "");
        return switch (way) {
            case "" -> null;
            case "template" -> new TemplatePerTest();
            case "testcontainers" -> new ContainerPerClass(testClass);
            default -> throw new IllegalArgumentException(WAY + " must be template or testcontainers, not " + way);
        };
    }
}
