package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

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

    @Autowired
    JdbcTemplate jdbc;

    @RepeatedTest(4)
    @Execution(ExecutionMode.CONCURRENT)
    void concurrentTestMethodsNeverShareADatabase(RepetitionInfo repetition) throws Exception {
        String mine = "repetition " + repetition.getCurrentRepetition();
        jdbc.update("INSERT INTO orders (note) VALUES (?)", mine);
        BOTH_WROTE.await(60, TimeUnit.SECONDS);
        assertThat(jdbc.queryForList("SELECT note FROM orders", String.class)).containsExactly(mine);
    }
}
