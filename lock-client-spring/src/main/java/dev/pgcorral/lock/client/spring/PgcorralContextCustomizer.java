package dev.pgcorral.lock.client.spring;

import java.util.Map;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

import dev.pgcorral.lock.client.Lease;
import dev.pgcorral.lock.client.LockClient;

/**
 * Leases the context's database before the context starts, puts it first in {@code spring.datasource.*}, and gives it
 * back when the context closes. Contexts differ by {@link AutoConfigurePgcorralDatabase.Refresh} only, so Spring's
 * context cache shares one between test classes alike.
 */
final class PgcorralContextCustomizer implements ContextCustomizer {

    static final String LEASES_BEAN = "pgcorralLeases";

    private final AutoConfigurePgcorralDatabase.Refresh refresh;

    PgcorralContextCustomizer(AutoConfigurePgcorralDatabase.Refresh refresh) {
        this.refresh = refresh;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        LockClient client = LockClient.fromEnvironment();
        Lease lease = client.lock(config.getTestClass().getSimpleName() + " (Spring context)", client.settings().lockWait(),
                LockClient.LONG_LIVED);
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("pgcorral", Map.of(
                "spring.datasource.url", lease.jdbcUrl(),
                "spring.datasource.username", lease.user(),
                "spring.datasource.password", lease.password(),
                "spring.datasource.driver-class-name", "org.postgresql.Driver",
                // a @DataJpaTest or @JdbcTest keeps it, instead of looking for an embedded database to swap in
                "spring.test.database.replace", "none")));
        TestLeases leases = new TestLeases(client, lease);
        context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
            if (event.getApplicationContext() == context) {
                leases.close();
            }
        });
        if (refresh == AutoConfigurePgcorralDatabase.Refresh.BEFORE_EACH_TEST_METHOD) {
            // a singleton that is a BeanPostProcessor: the context registers it as one (adding it by hand as well
            // would count it twice, and Spring would then warn about every bean that it was not post-processed)
            context.getBeanFactory().registerSingleton(LEASES_BEAN, leases);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PgcorralContextCustomizer c && c.refresh == refresh;
    }

    @Override
    public int hashCode() {
        return refresh.hashCode();
    }
}
