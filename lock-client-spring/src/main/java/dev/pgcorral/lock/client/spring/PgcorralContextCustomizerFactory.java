package dev.pgcorral.lock.client.spring;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

import dev.pgcorral.lock.client.LockClient;
import dev.pgcorral.lock.client.LockSettings;

/**
 * Finds {@link AutoConfigurePgcorralDatabase} on a test class (registered in {@code META-INF/spring.factories}).
 * {@code pgcorral.lock.spring.enabled=false} (system property) or {@code PGCORRAL_LOCK_SPRING_ENABLED=false}
 * (environment) turns the annotation off, leaving {@code spring.datasource.*} as the application configures it: to run
 * the same suite against a database of your own.
 */
public final class PgcorralContextCustomizerFactory implements ContextCustomizerFactory {

    static final String ENABLED_PROPERTY = "pgcorral.lock.spring.enabled";
    static final String ENABLED_VARIABLE = "PGCORRAL_LOCK_SPRING_ENABLED";
    private static final Set<LockSettings> CHECKED = ConcurrentHashMap.newKeySet();

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        AutoConfigurePgcorralDatabase annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                AutoConfigurePgcorralDatabase.class);
        if (annotation == null || !enabled(System.getProperty(ENABLED_PROPERTY), System.getenv(ENABLED_VARIABLE))) {
            return null;
        }
        checkAccessOnce(LockSettings.fromEnvironment());
        return new PgcorralContextCustomizer(annotation.refresh());
    }

    /**
     * Bad settings (nothing at the URL, a wrong password) fail the test class here, with lock-client's own exception:
     * thrown while the context loads, Spring would wrap it in a page of its configuration. Checked once per settings.
     */
    private static void checkAccessOnce(LockSettings settings) {
        if (!CHECKED.contains(settings)) {
            new LockClient(settings).checkAccess();
            CHECKED.add(settings);
        }
    }

    static boolean enabled(String property, String variable) {
        String value = property != null && !property.isBlank() ? property : variable;
        if (value == null || value.isBlank() || value.strip().equalsIgnoreCase("true")) {
            return true;
        }
        if (value.strip().equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(ENABLED_VARIABLE + " (or " + ENABLED_PROPERTY + ") must be true or false, not " + value);
    }
}
