package dev.pgcorral.example.orders;

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

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

/**
 * Test methods of one class at the same time, in one Spring context: each still has its own database. Two at a time
 * meet after writing, so each checks it sees its own customer only while another test's is written too.
 */
@SpringBootTest
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
@Execution(ExecutionMode.CONCURRENT)
class ParallelIsolationTest {

    private static final CyclicBarrier TWO_WROTE = new CyclicBarrier(2);
    private static final AtomicInteger MET = new AtomicInteger();

    /**
     * Waits a while for another repetition to have written too. JUnit does not promise to run two at once (a thread
     * of its pool may be busy elsewhere), so one that finds no partner goes on alone; at least one pair must meet.
     */
    private static void meetAnother() throws InterruptedException {
        try {
            TWO_WROTE.await(10, TimeUnit.SECONDS);
            MET.incrementAndGet();
        } catch (TimeoutException | BrokenBarrierException alone) {
            TWO_WROTE.reset();
        }
    }

    @AfterAll
    static void twoRanAtOnce() {
        assertThat(MET.get()).as("repetitions that met another while both had written").isGreaterThanOrEqualTo(2);
    }

    @Autowired
    CustomerRepository customers;

    @RepeatedTest(4)
    @Execution(ExecutionMode.CONCURRENT)
    void concurrentTestsEachSeeOnlyTheirOwnRows(RepetitionInfo repetition) throws Exception {
        String email = "test" + repetition.getCurrentRepetition() + "@example.com";
        customers.save(new Customer(email, "Test " + repetition.getCurrentRepetition()));

        meetAnother();

        assertThat(customers.findAll()).extracting(Customer::getEmail).containsExactly(email);
    }
}
