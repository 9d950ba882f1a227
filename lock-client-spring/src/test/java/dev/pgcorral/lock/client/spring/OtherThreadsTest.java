package dev.pgcorral.lock.client.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Work the application does on threads of its own (a server's request threads, an executor's) reaches the database of
 * the test running in the context, as the test's own thread does, while it is the only one running there.
 */
@SpringBootTest(classes = OrdersApp.class)
@AutoConfigurePgcorralDatabase(refresh = AutoConfigurePgcorralDatabase.Refresh.BEFORE_EACH_TEST_METHOD)
class OtherThreadsTest {

    private static final ExecutorService APPLICATION_THREADS = Executors.newFixedThreadPool(2);

    @Autowired
    JdbcTemplate jdbc;

    @AfterAll
    static void stop() throws InterruptedException {
        APPLICATION_THREADS.shutdown();
        APPLICATION_THREADS.awaitTermination(10, TimeUnit.SECONDS);
    }

    @RepeatedTest(2)
    void anotherThreadReachesTheTestsDatabase() throws Exception {
        jdbc.update("INSERT INTO orders (note) VALUES ('written by the test')");
        String mine = jdbc.queryForObject("SELECT current_database()", String.class);

        CompletableFuture<String> elsewhere = CompletableFuture.supplyAsync(
                () -> jdbc.queryForObject("SELECT current_database() || ' ' || count(*) FROM orders", String.class), APPLICATION_THREADS);

        assertThat(elsewhere.get(30, TimeUnit.SECONDS)).isEqualTo(mine + " 1");
    }
}
