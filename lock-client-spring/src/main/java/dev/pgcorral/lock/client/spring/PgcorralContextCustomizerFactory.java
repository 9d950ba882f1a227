package dev.pgcorral.lock.client.spring;

import java.util.List;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Finds {@link AutoConfigurePgcorralDatabase} on a test class (registered in {@code META-INF/spring.factories}). */
public final class PgcorralContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        AutoConfigurePgcorralDatabase annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                AutoConfigurePgcorralDatabase.class);
        return annotation == null ? null : new PgcorralContextCustomizer(annotation.refresh());
    }
}
