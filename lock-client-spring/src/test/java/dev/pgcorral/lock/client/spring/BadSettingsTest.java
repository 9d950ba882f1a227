package dev.pgcorral.lock.client.spring;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.assertj.core.api.Condition;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.pgcorral.lock.client.LockAuthenticationException;
import dev.pgcorral.lock.client.LockServiceUnreachableException;
import dev.pgcorral.lock.client.LockServiceUnderTestAccess;

/** A wrong URL or password fails an annotated Spring test class with lock-client's exception, not Spring's page about it. */
class BadSettingsTest {

    @Test
    void aWrongUrlOrPasswordFailsTheClassWithOneClearMessage() throws Exception {
        String url = System.getProperty("pgcorral.lock.url");
        try {
            System.setProperty("pgcorral.lock.url", "http://127.0.0.1:" + LockServiceUnderTestAccess.freePort());
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(Annotated.class)).execute()
                    .allEvents().assertThatEvents().haveExactly(1, finishedWithFailure(
                            instanceOf(LockServiceUnreachableException.class),
                            message(m -> m.contains("cannot reach lock-service") && m.contains("PGCORRAL_LOCK_URL")),
                            new Condition<>(thrown -> thrown.getCause() == null, "without a cause")));
            System.setProperty("pgcorral.lock.url", url);
            System.setProperty("pgcorral.lock.password", "wrong");
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(Annotated.class)).execute()
                    .allEvents().assertThatEvents().haveExactly(1, finishedWithFailure(
                            instanceOf(LockAuthenticationException.class), message(m -> m.contains("refused the password"))));
        } finally {
            LockServiceUnderTestAccess.useFromEnvironment();
        }
    }

    /** Run only by the test above (surefire leaves nested classes out). */
    @SpringBootTest(classes = OrdersApp.class)
    @AutoConfigurePgcorralDatabase
    static class Annotated {
        @Autowired
        JdbcTemplate jdbc;

        @Test
        void runs() {
            jdbc.queryForObject("SELECT 1", Integer.class);
        }
    }
}
