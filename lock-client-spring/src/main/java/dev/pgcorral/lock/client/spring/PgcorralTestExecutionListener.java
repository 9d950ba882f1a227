package dev.pgcorral.lock.client.spring;

import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * With {@link AutoConfigurePgcorralDatabase.Refresh#BEFORE_EACH_TEST_METHOD}, gives each test method a fresh database
 * before it runs (and before Spring's transaction for it begins), and gives it back after. Registered in {@code META-INF/spring.factories}.
 */
public final class PgcorralTestExecutionListener implements TestExecutionListener, Ordered {

    /** Before {@code TransactionalTestExecutionListener} (4000), so a test's transaction opens on the new database. */
    @Override
    public int getOrder() {
        return 3900;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        TestLeases leases = leases(testContext);
        if (leases != null) {
            leases.begin(testContext.getTestClass().getSimpleName() + "." + testContext.getTestMethod().getName(),
                    testContext.getApplicationContext());
        }
    }

    /** After the test's transaction ended (this listener's afterTestMethod runs after the transactional one's). */
    @Override
    public void afterTestMethod(TestContext testContext) {
        TestLeases leases = leases(testContext);
        if (leases != null) {
            leases.end();
        }
    }

    private static TestLeases leases(TestContext testContext) {
        if (!testContext.hasApplicationContext()) {
            return null;
        }
        ApplicationContext context = testContext.getApplicationContext();
        return context.containsBean(PgcorralContextCustomizer.LEASES_BEAN)
                ? context.getBean(PgcorralContextCustomizer.LEASES_BEAN, TestLeases.class)
                : null;
    }
}
