package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Test methods that run at the same time in one Spring context (the same as {@link PerTestMethodDatabaseTest}'s):
 * each reaches its own fresh database through the context's one DataSource. Two at a time meet at a barrier after
 * writing, so each sees its own row only while the other's is written too.
 */
@SpringBootTest(classes = OrdersApp.class)
@AutoConfigurePgcorralDatabase(refresh = AutoConfigurePgcorralDatabase.Refresh.BEFORE_EACH_TEST_METHOD)
class ParallelTestMethodsTest { // the class runs alone (the default, same_thread); its repetitions at once

    private static final CyclicBarrier BOTH_WROTE = new CyclicBarrier(2);
    private static final AtomicInteger MET = new AtomicInteger();

    /**
     * Waits a while for another repetition to have written too. JUnit does not promise to run two at once (a thread
     * of its pool may be busy elsewhere), so one that finds no partner goes on alone; at least one pair must meet.
     */
    private static void meetAnother() throws InterruptedException {
        try {
            BOTH_WROTE.await(10, TimeUnit.SECONDS);
            MET.incrementAndGet();
        } catch (TimeoutException | BrokenBarrierException alone) {
            BOTH_WROTE.reset();
        }
    }

    @AfterAll
    static void twoRanAtOnce() {
        assertThat(MET.get()).as("repetitions that met another while both had written").isGreaterThanOrEqualTo(2);
    }

    @Autowired
    JdbcTemplate jdbc;

    @RepeatedTest(4)
    @Execution(ExecutionMode.CONCURRENT)
    void concurrentTestMethodsNeverShareADatabase(RepetitionInfo repetition) throws Exception {
        String mine = "repetition " + repetition.getCurrentRepetition();
        jdbc.update("INSERT INTO orders (note) VALUES (?)", mine);
        meetAnother();
        assertThat(jdbc.queryForList("SELECT note FROM orders", String.class)).containsExactly(mine);
    }
}
