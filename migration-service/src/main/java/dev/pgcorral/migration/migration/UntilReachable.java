package dev.pgcorral.migration.migration;

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
import dev.pgcorral.migration.follow.Follower;

/**
 * What a followed run asks the source or the destination before it follows, asked again with back-off (1 s, doubling,
 * at most 30 s) while that server cannot be reached: a service that restarts may find a server down. Said in the run's
 * {@code live_trouble}, its error history and its log meanwhile. A stop ends the wait.
 */
final class UntilReachable {

    /** A question to a server. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(UntilReachable.class);
    private static final Duration FIRST = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(30);

    private final String migrationId;
    private final CloneProgress record;
    private final CountDownLatch stopped = new CountDownLatch(1);

    UntilReachable(String migrationId, CloneProgress record) {
        this.migrationId = migrationId;
        this.record = record;
    }

    /** Ends a wait under way, and every later one, with {@link CloneCancelledException}. */
    void stop() {
        stopped.countDown();
    }

    /** {@code call}'s answer, once {@code server} ("the source") can be reached; other failures are thrown as they come. */
    <T> T ask(String server, Call<T> call) throws SQLException, InterruptedException {
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
                if (!Follower.connectionFault(e)) {
                    throw e;
                }
                problem = e.getMessage();
            }
            String message = "cannot reach " + server + ": " + problem + "; retrying in " + wait.toSeconds() + " s";
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
