package dev.pgcorral.lock.client.spring;

import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * With {@link AutoConfigurePgcorralDatabase.Refresh#BEFORE_EACH_TEST_METHOD}, gives each test method a fresh database
 * before it runs (and before Spring's transaction for it begins). Registered in {@code META-INF/spring.factories}.
 */
public final class PgcorralTestExecutionListener implements TestExecutionListener, Ordered {

    /** Before {@code TransactionalTestExecutionListener} (4000), so a test's transaction opens on the new database. */
    @Override
    public int getOrder() {
        return 3900;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        if (!testContext.hasApplicationContext()) {
            return;
        }
        ApplicationContext context = testContext.getApplicationContext();
        if (context.containsBean(PgcorralContextCustomizer.LEASES_BEAN)) {
            context.getBean(PgcorralContextCustomizer.LEASES_BEAN, TestLeases.class)
                    .next(testContext.getTestClass().getSimpleName() + "." + testContext.getTestMethod().getName(), context);
        }
    }
}
