package dev.pgcorral.example.orders.benchmark;

import org.flywaydb.core.Flyway;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;

/**
 * Per test method, in the place where lock-client-spring's listener gives each test its database (before the test's
 * transaction): a database from the template, or a clean schema in the class's container. After a class, its
 * container goes (its context is closed).
 */
public final class OtherWaysListener implements TestExecutionListener, Ordered {

    @Override
    public int getOrder() {
        return 3900;
    }

    @Override
    public void beforeTestMethod(TestContext testContext) {
        ApplicationContext context = testContext.getApplicationContext();
        if (context.containsBean(TemplatePerTest.BEAN)) {
            context.getBean(TemplatePerTest.BEAN, TemplatePerTest.class).begin();
        } else if (context.containsBean(ContainerPerClass.BEAN)) {
            context.getBeansOfType(Flyway.class).values().forEach(flyway -> {
                flyway.clean();
                flyway.migrate();
            });
        }
    }

    @Override
    public void afterTestMethod(TestContext testContext) {
        ApplicationContext context = testContext.getApplicationContext();
        if (context.containsBean(TemplatePerTest.BEAN)) {
            context.getBean(TemplatePerTest.BEAN, TemplatePerTest.class).end();
        }
    }

    @Override
    public void afterTestClass(TestContext testContext) {
        if (testContext.hasApplicationContext() && testContext.getApplicationContext().containsBean(ContainerPerClass.BEAN)) {
            testContext.markApplicationContextDirty(DirtiesContext.HierarchyMode.EXHAUSTIVE);
        }
    }
}
