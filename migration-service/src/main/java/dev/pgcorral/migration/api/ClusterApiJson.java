package dev.pgcorral.migration.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.pgcorral.migration.cluster.Cluster;
import dev.pgcorral.migration.cluster.Clusters;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * pgmanager's cluster and node objects as they go out: snake_case, pgmanager's field order, its omitempty fields
 * left out when empty, a stored password shown as {@value Clusters#MASK} (an absent one left out), times in
 * RFC 3339 with up to nine fraction digits and no trailing zeros (Go's form).
 */
final class ClusterApiJson {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private ClusterApiJson() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"id", "name", "nodes", "tags", "backup_path", "created_at", "updated_at"})
    record ClusterJson(String id, String name, List<NodeJson> nodes, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) String backupPath, String createdAt, String updatedAt) {

        static ClusterJson of(Cluster c) {
            return new ClusterJson(c.id(), c.name(), c.nodes().stream().map(NodeJson::of).toList(), c.tags(), c.backupPath(),
                    time(c.createdAt()), time(c.updatedAt()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"id", "name", "host", "port", "role", "user", "password", "dbname", "agent_url", "monitoring_enabled"})
    record NodeJson(String id, String name, String host, int port, String role,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) String user,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) String password,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) String dbname,
                    @JsonInclude(JsonInclude.Include.NON_EMPTY) String agentUrl,
                    boolean monitoringEnabled) {

        static NodeJson of(Cluster.Node n) {
            return new NodeJson(n.id(), n.name(), n.host(), n.port(), n.role(), n.user(), n.hasPassword() ? Clusters.MASK : null, n.dbname(),
                    n.agentUrl(), n.monitoringEnabled());
        }
    }

    /** {@code 2026-03-04T12:00:00.1234Z}: Go's RFC 3339 with nanoseconds, trailing zeros of the fraction dropped. */
    static String time(Instant at) {
        StringBuilder text = new StringBuilder(SECONDS.format(at));
        int nanos = at.getNano();
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos);
            int end = fraction.length();
            while (fraction.charAt(end - 1) == '0') {
                end--;
            }
            text.append('.').append(fraction, 0, end);
        }
        return text.append('Z').toString();
    }
}
