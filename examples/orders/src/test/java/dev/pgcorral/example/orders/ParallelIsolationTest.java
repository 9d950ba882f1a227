package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

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

    @Autowired
    CustomerRepository customers;

    @RepeatedTest(4)
    @Execution(ExecutionMode.CONCURRENT)
    void concurrentTestsEachSeeOnlyTheirOwnRows(RepetitionInfo repetition) throws Exception {
        String email = "test" + repetition.getCurrentRepetition() + "@example.com";
        customers.save(new Customer(email, "Test " + repetition.getCurrentRepetition()));

        TWO_WROTE.await(60, TimeUnit.SECONDS);

        assertThat(customers.findAll()).extracting(Customer::getEmail).containsExactly(email);
    }
}
