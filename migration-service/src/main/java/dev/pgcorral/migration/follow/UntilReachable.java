package dev.pgcorral.migration.follow;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.logical.LogicalReplicationException;
import dev.pgcorral.migration.clone.CloneCancelledException;
import dev.pgcorral.migration.clone.CloneProgress;

/**
 * A call to the source or the destination, made again with back-off (1 s, doubling, at most 30 s) while that server
 * cannot be reached: what a followed run asks before it follows (a service that restarts may find a server down), or a
 * switchover's giving writes back. Said in the run's {@code live_trouble}, its error history and its log meanwhile. A
 * stop ends the wait.
 */
public final class UntilReachable {

    /** A question to a server. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(UntilReachable.class);
    private static final Duration FIRST = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(30);

    private final String migrationId;
    private final CloneProgress record;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public UntilReachable(String migrationId, CloneProgress record) {
        this.migrationId = migrationId;
        this.record = record;
    }

    /** Ends a wait under way, and every later one, with {@link CloneCancelledException}. */
    public void stop() {
        stopped.countDown();
    }

    /**
     * {@code call}'s answer, once its server can be reached; other failures are thrown as they come. {@code trouble} says
     * what fails meanwhile ("cannot reach the source").
     */
    public <T> T ask(String trouble, Call<T> call) throws SQLException, InterruptedException {
        Duration wait = FIRST;
        while (true) {
            String problem;
            try {
                T answer = call.call();
                record.trouble(null);
                return answer;
            } catch (LogicalReplicationException e) {
                if (!e.reason().isTransient()) {
                    throw e;
                }
                problem = e.getMessage();
            } catch (SQLException e) {
                if (!SqlFaults.connectionFault(e)) {
                    throw e;
                }
                problem = e.getMessage();
            }
            String message = trouble + ": " + problem + "; retrying in " + wait.toSeconds() + " s";
            record.trouble(message);
            record.failure(message, true);
            record.log("warn", message, Map.of("component", "migration"));
            log.warn("migration {}: {}", migrationId, message);
            if (stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                record.trouble(null);
                throw new CloneCancelledException();
            }
            wait = wait.multipliedBy(2).compareTo(MAX) > 0 ? MAX : wait.multipliedBy(2);
        }
    }
}
