package dev.pgcorral.ui.actions;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;

/**
 * What the migration page asks of a migration-service's pgmanager-compatible API: the cluster registry (list,
 * add a cluster of one node, delete, test a registered node, introspect) and migrations (read, create, start,
 * stop and delete, either of them keeping the slot if asked, switch over, logs, compare). Ids go into paths encoded, as the
 * service lets a client choose them.
 */
@Component
public class MigrationActions {

    /** The destination that is migration-service's own PostgreSQL, as its cluster and node id. */
    public static final String EMBEDDED = "embedded";

    private final ServiceClient client;

    public MigrationActions(ServiceClient client) {
        this.client = client;
    }

    /** A node as the page registers it; {@code user}, {@code password} and {@code dbname} may be empty (the server's defaults). */
    public record Node(String name, String host, int port, String user, String password, String dbname) {

        /** Without the password, so a log line or an error message cannot show it. */
        @Override
        public String toString() {
            return "Node[name=" + name + ", host=" + host + ", port=" + port + ", user=" + user + ", dbname=" + dbname + "]";
        }
    }

    /** A migration as the page creates it; {@code destNodeId} is ignored for the {@link #EMBEDDED} destination. */
    public record NewMigration(String id, String name, String sourceClusterId, String sourceNodeId, String destClusterId,
                               String destNodeId, String mode, boolean fallback, Integer copyWorkers) {
    }

    public JsonNode clusters(UiProperties.Service service) {
        return client.get(service, "/api/v1/clusters");
    }

    /** Registers a cluster of one node, its primary. */
    public JsonNode createCluster(UiProperties.Service service, String name, Node node) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", node.name() == null || node.name().isBlank() ? node.host() : node.name());
        json.put("host", node.host());
        json.put("port", node.port());
        json.put("role", "primary");
        putIfSet(json, "user", node.user());
        putIfSet(json, "password", node.password());
        putIfSet(json, "dbname", node.dbname());
        return client.post(service, "/api/v1/clusters", Map.of("name", name, "nodes", List.of(json)));
    }

    public JsonNode deleteCluster(UiProperties.Service service, String cluster) {
        return client.delete(service, cluster(cluster, ""));
    }

    /** Connects to a registered node (the cluster's primary when {@code node} is null) and judges it as a migration's source. */
    public JsonNode testNode(UiProperties.Service service, String cluster, String node) {
        return client.get(service, cluster(cluster, "/test-connection") + nodeQuery(node));
    }

    public JsonNode introspect(UiProperties.Service service, String cluster, String node) {
        return client.get(service, cluster(cluster, "/introspect") + nodeQuery(node));
    }

    public JsonNode migration(UiProperties.Service service, String migration) {
        return client.get(service, migration(migration, ""));
    }

    public JsonNode createMigration(UiProperties.Service service, NewMigration m) {
        boolean embedded = EMBEDDED.equals(m.destClusterId());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", m.id());
        json.put("name", m.name());
        json.put("source_cluster_id", m.sourceClusterId());
        json.put("source_node_id", m.sourceNodeId());
        json.put("dest_cluster_id", m.destClusterId());
        json.put("dest_node_id", embedded ? EMBEDDED : m.destNodeId());
        json.put("mode", m.mode());
        if (m.fallback()) {
            json.put("fallback", true);
        }
        if (m.copyWorkers() != null) {
            json.put("copy_workers", m.copyWorkers());
        }
        return client.post(service, "/api/v1/migrations", json);
    }

    public JsonNode start(UiProperties.Service service, String migration) {
        return client.post(service, migration(migration, "/start"), "{}");
    }

    /** Stops a run; a following migration's slot and publication on the source are dropped unless {@code keepSlot}. */
    public JsonNode stop(UiProperties.Service service, String migration, boolean keepSlot) {
        return client.post(service, migration(migration, "/stop") + flags(false, keepSlot), "{}");
    }

    /** Starts a switchover of a following migration, bounded by {@code timeoutSeconds} (null: the service's default). */
    public JsonNode switchover(UiProperties.Service service, String migration, Integer timeoutSeconds) {
        return client.post(service, migration(migration, "/switchover"), timeoutSeconds == null ? Map.of() : Map.of("timeout_sec", timeoutSeconds));
    }

    /**
     * Deletes a migration; a running one only with {@code force} (its run is cancelled first). Its slot and
     * publication on the source are dropped unless {@code keepSlot}.
     */
    public JsonNode deleteMigration(UiProperties.Service service, String migration, boolean force, boolean keepSlot) {
        return client.delete(service, migration(migration, "") + flags(force, keepSlot));
    }

    /** The migration's last log lines, of every run (the service keeps them across runs and restarts). */
    public JsonNode logs(UiProperties.Service service, String migration) {
        return client.get(service, migration(migration, "/logs"));
    }

    /** Source against destination, per table: row counts and content hashes. */
    public JsonNode compare(UiProperties.Service service, String migration) {
        return client.post(service, migration(migration, "/compare"), "{}");
    }

    private static String cluster(String id, String rest) {
        return "/api/v1/clusters/" + UriUtils.encodePathSegment(id, StandardCharsets.UTF_8) + rest;
    }

    private static String migration(String id, String rest) {
        return "/api/v1/migrations/" + UriUtils.encodePathSegment(id, StandardCharsets.UTF_8) + rest;
    }

    /** The query of a stop or delete: only the flags that are set, as the service's defaults are false. */
    private static String flags(boolean force, boolean keepSlot) {
        String query = (force ? "&force=true" : "") + (keepSlot ? "&keep_slot=true" : "");
        return query.isEmpty() ? "" : "?" + query.substring(1);
    }

    private static String nodeQuery(String node) {
        return node == null || node.isBlank() ? "" : "?node=" + UriUtils.encodeQueryParam(node, StandardCharsets.UTF_8);
    }

    private static void putIfSet(Map<String, Object> json, String key, String value) {
        if (value != null && !value.isEmpty()) {
            json.put(key, value);
        }
    }
}
