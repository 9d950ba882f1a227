package dev.pgcorral.lock.client.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.pgcorral.lock.client.LockAuthenticationException;
import dev.pgcorral.lock.client.LockClient;
import dev.pgcorral.lock.client.LockServiceUnreachableException;
import dev.pgcorral.lock.client.LockServiceUnderTestAccess;

/** {@link PgcorralDatabase} in test classes as a user writes them ({@link ExtensionCases}), run by JUnit itself. */
class PgcorralExtensionTest {

    private static LockClient client;

    @BeforeAll
    static void start() throws Exception {
        client = LockServiceUnderTestAccess.useFromEnvironment();
        System.setProperty(ExtensionCases.RUN, "true");
        ExtensionCases.SEEN.clear();
    }

    @AfterEach
    void allBack() {
        await().atMost(Duration.ofSeconds(30)).until(() -> client.status().locked() == 0);
    }

    @Test
    void parallelClassesWithFewerDatabasesThanTestsAllPassEachOnAFreshDatabaseOfItsOwn() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "8")
                .selectors(selectClass(ExtensionCases.Orders.class), selectClass(ExtensionCases.Customers.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.started(8).succeeded(8).failed(0));
        assertThat(ExtensionCases.SEEN).hasSize(8).containsKeys(
                "ExtensionCases.Orders.one", "ExtensionCases.Orders.two", "ExtensionCases.Customers.three",
                "ExtensionCases.Customers.five", "ExtensionCases.Orders.each [1] n = 1", "ExtensionCases.Orders.each [3] n = 3");
    }

    @Test
    void aClassThatSharesItsDatabaseGetsOneForAllItsTests() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ExtensionCases.Shared.class)).execute();

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(ExtensionCases.SEEN.get("ExtensionCases.Shared")).isNotNull()
                .isEqualTo(ExtensionCases.SEEN.get("ExtensionCases.Shared (second)"));
    }

    @Test
    void aWrongUrlOrPasswordFailsTheTestWithOneClearMessage() throws Exception {
        String url = System.getProperty("pgcorral.lock.url");
        try {
            System.setProperty("pgcorral.lock.url", "http://127.0.0.1:" + LockServiceUnderTestAccess.freePort());
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(ExtensionCases.Lone.class)).execute()
                    .testEvents().assertStatistics(stats -> stats.failed(1))
                    .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(LockServiceUnreachableException.class),
                            message(m -> m.contains("cannot reach lock-service") && m.contains("PGCORRAL_LOCK_URL"))));
            System.setProperty("pgcorral.lock.url", url);
            System.setProperty("pgcorral.lock.password", "wrong");
            EngineTestKit.engine("junit-jupiter").selectors(selectClass(ExtensionCases.Lone.class)).execute()
                    .testEvents().assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(LockAuthenticationException.class),
                            message(m -> m.contains("refused the password"))));
        } finally {
            LockServiceUnderTestAccess.useFromEnvironment();
        }
    }
}
