package dev.pgcorral.migration.follow;

import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.migration.clone.CloneProgress;

/** What a follow says: log lines (component {@code follow}) and events in its run's record, and the same in the service's log. */
final class FollowLog {

    private static final Logger log = LoggerFactory.getLogger(Follower.class);

    private final CloneProgress record;
    private final String migrationId;

    FollowLog(CloneProgress record, String migrationId) {
        this.record = record;
        this.migrationId = migrationId;
    }

    void info(String message) {
        record.log("info", message, Map.of("component", "follow"));
        log.info("migration {}: {}", migrationId, message);
    }

    /** An event of {@code type}, and its message as an info line. */
    void event(String type, String message) {
        record.event(type, message, Map.of());
        info(message);
    }

    /** A warning event; its log line carries {@code fields} and the event's {@code type} ({@code event}) besides its component. */
    void warn(String type, String message, Map<String, String> fields) {
        record.event(type, message, fields);
        Map<String, String> logged = new HashMap<>(fields);
        logged.put("component", "follow");
        logged.put("event", type);
        record.log("warn", message, logged);
        log.warn("migration {}: {}", migrationId, message);
    }

    /** A fault the follow waits out and retries: the run's failure, which is retried, and a warning line. */
    void retrying(String message) {
        record.failure(message, true);
        record.log("warn", message, Map.of("component", "follow"));
        log.warn("migration {}: {}", migrationId, message);
    }
}
