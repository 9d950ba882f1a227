package dev.pgcorral.replay.api.compat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgcorral.replay.capture.Change;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.Session;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** postgres-test-replay's JSON shapes, with its snake_case names: what its clients send and what they read back. */
final class CompatJson {

    private CompatJson() {
    }

    record SessionJson(UUID id, String name, String description, @JsonProperty("created_at") Instant createdAt,
                       @JsonProperty("updated_at") Instant updatedAt, String database, List<UUID> checkpoints, boolean active) {
        static SessionJson of(Session s, List<UUID> checkpoints) {
            return new SessionJson(s.id(), s.name(), s.description(), s.createdAt(), s.updatedAt(), s.source().database(), checkpoints,
                    s.active());
        }
    }

    /** @param entryIndex entries captured before it; null while capture has not reached it */
    record CheckpointJson(UUID id, String name, String description, Instant timestamp, String lsn,
                          @JsonProperty("entry_index") Long entryIndex, @JsonProperty("session_id") UUID sessionId) {
        static CheckpointJson of(Checkpoint c) {
            return new CheckpointJson(c.id(), c.name(), c.description(), c.createdAt(), c.lsn().toString(), c.entryIndex(), c.sessionId());
        }
    }

    /** One change: {@code data} the new values, {@code old_data} the old key or row, {@code sql} a DDL or TRUNCATE statement. */
    record WalEntryJson(String id, Instant timestamp, String lsn, String operation, String schema, String table, JsonNode data,
                        @JsonProperty("old_data") @JsonInclude(JsonInclude.Include.NON_EMPTY) JsonNode oldData,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) String sql) {
        static WalEntryJson of(Change c) {
            return new WalEntryJson(Long.toString(c.seq()), c.commitTime(), c.lsn().toString(), c.operation(), orEmpty(c.schema()),
                    orEmpty(c.table()), c.data() == null ? JsonNodeFactory.instance.objectNode() : c.data(), c.oldData(), c.statement());
        }
    }

    record EntriesJson(List<WalEntryJson> entries, int count) {
    }

    record WalLogsJson(List<WalEntryJson> entries, @JsonProperty("total_count") long totalCount, int returned) {
    }

    record ReplayedJson(String status, @JsonProperty("entries_applied") long entriesApplied) {
    }

    record ConfigJson(@JsonProperty("input_dsn") String inputDsn, @JsonProperty("output_dsn") String outputDsn, Server server,
                      Storage storage) {
        record Server(int port, @JsonProperty("ui_path") String uiPath) {
        }

        record Storage(@JsonProperty("wal_log_path") String walLogPath, @JsonProperty("backup_path") String backupPath,
                       @JsonProperty("session_path") String sessionPath, @JsonProperty("checkpoint_path") String checkpointPath) {
        }
    }

    record NewSessionRequest(@Size(max = 200) String name, @Size(max = 2000) String description, @Size(max = 63) String database) {
    }

    record SwitchRequest(@JsonProperty("session_id") String sessionId) {
    }

    /** The seed's clients also send {@code lsn} and {@code entry_index}; they are ignored: the real position is recorded. */
    record NewCheckpointRequest(@Size(max = 200) String name, @Size(max = 2000) String description,
                                @JsonProperty("session_id") String sessionId) {
    }

    /** @param sessionId which session's CREATION / MIGRATION the ids name; default the active one */
    record NavigateRequest(@JsonProperty("checkpoint_id") String checkpointId, @JsonProperty("start_id") String startId,
                           @JsonProperty("end_id") String endId, @JsonProperty("session_id") String sessionId) {
    }

    record ReplayRequest(@JsonProperty("session_id") String sessionId, @JsonProperty("checkpoint_id") String checkpointId) {
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
