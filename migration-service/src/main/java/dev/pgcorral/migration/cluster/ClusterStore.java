package dev.pgcorral.migration.cluster;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Clusters and nodes in the state database ({@code migration.clusters}, {@code migration.nodes}). Passwords go in
 * and come out only in their encrypted form, and only through {@link #storedPasswords} and the maps the writes
 * take. Nodes are read in id order (byte order, as pgmanager sorts them); clusters by creation time.
 */
class ClusterStore {

    private static final String CLUSTER_COLUMNS = "id, name, tags, backup_path, created_at, updated_at";
    private static final String NODE_COLUMNS = "id, cluster_id, name, host, port, role, user_name, password <> '' AS has_password, dbname, "
            + "agent_url, monitoring_enabled";

    private final JdbcClient jdbc;

    ClusterStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Cluster> all() {
        Map<String, List<Cluster.Node>> nodes = new LinkedHashMap<>();
        jdbc.sql("SELECT " + NODE_COLUMNS + " FROM migration.nodes ORDER BY id COLLATE \"C\"")
                .query(rs -> {
                    nodes.computeIfAbsent(rs.getString("cluster_id"), k -> new ArrayList<>()).add(node(rs));
                });
        return jdbc.sql("SELECT " + CLUSTER_COLUMNS + " FROM migration.clusters ORDER BY created_at, id COLLATE \"C\"")
                .query((rs, row) -> cluster(rs, nodes.getOrDefault(rs.getString("id"), List.of()))).list();
    }

    Optional<Cluster> find(String id) {
        return find(id, "");
    }

    /** The cluster, its row locked until the transaction ends. */
    Optional<Cluster> lock(String id) {
        return find(id, " FOR UPDATE");
    }

    private Optional<Cluster> find(String id, String lock) {
        return jdbc.sql("SELECT " + CLUSTER_COLUMNS + " FROM migration.clusters WHERE id = ?" + lock).param(id)
                .query((rs, row) -> cluster(rs, List.of())).optional()
                .map(c -> new Cluster(c.id(), c.name(), nodesOf(id), c.tags(), c.backupPath(), c.createdAt(), c.updatedAt()));
    }

    private List<Cluster.Node> nodesOf(String clusterId) {
        return jdbc.sql("SELECT " + NODE_COLUMNS + " FROM migration.nodes WHERE cluster_id = ? ORDER BY id COLLATE \"C\"")
                .param(clusterId).query((rs, row) -> node(rs)).list();
    }

    boolean exists(String id) {
        return jdbc.sql("SELECT count(*) FROM migration.clusters WHERE id = ?").param(id).query(Long.class).single() > 0;
    }

    /** The encrypted password of each node of the cluster that has one, by node id. */
    Map<String, String> storedPasswords(String clusterId) {
        Map<String, String> passwords = new LinkedHashMap<>();
        jdbc.sql("SELECT id, password FROM migration.nodes WHERE cluster_id = ? AND password <> ''").param(clusterId)
                .query(rs -> {
                    passwords.put(rs.getString("id"), rs.getString("password"));
                });
        return passwords;
    }

    /** Every stored (encrypted) node password, by node id. */
    Map<String, String> allStoredPasswords() {
        Map<String, String> passwords = new LinkedHashMap<>();
        jdbc.sql("SELECT id, password FROM migration.nodes WHERE password <> '' ORDER BY id").query(rs -> {
            passwords.put(rs.getString("id"), rs.getString("password"));
        });
        return passwords;
    }

    /** Which other cluster holds each of these node ids, by node id. */
    Map<String, String> nodeOwners(List<String> nodeIds, String exceptCluster) {
        Map<String, String> owners = new LinkedHashMap<>();
        if (nodeIds.isEmpty()) {
            return owners;
        }
        jdbc.sql("SELECT id, cluster_id FROM migration.nodes WHERE id = ANY (?) AND cluster_id IS DISTINCT FROM ? ORDER BY id")
                .params(nodeIds.toArray(String[]::new), exceptCluster)
                .query(rs -> {
                    owners.put(rs.getString("id"), rs.getString("cluster_id"));
                });
        return owners;
    }

    /** Inserts the cluster and its nodes; {@code passwords} holds the encrypted password of each node that has one. */
    void insert(Cluster cluster, Map<String, String> passwords) {
        jdbc.sql("INSERT INTO migration.clusters (" + CLUSTER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")
                .params(cluster.id(), cluster.name(), cluster.tags().toArray(String[]::new), cluster.backupPath(),
                        Timestamp.from(cluster.createdAt()), Timestamp.from(cluster.updatedAt()))
                .update();
        upsertNodes(cluster, passwords);
    }

    /** Replaces the cluster's fields and nodes: nodes not in {@code cluster} are deleted, the others updated or inserted. */
    void replace(Cluster cluster, Map<String, String> passwords) {
        jdbc.sql("UPDATE migration.clusters SET name = ?, tags = ?, backup_path = ?, updated_at = ? WHERE id = ?")
                .params(cluster.name(), cluster.tags().toArray(String[]::new), cluster.backupPath(), Timestamp.from(cluster.updatedAt()),
                        cluster.id())
                .update();
        jdbc.sql("DELETE FROM migration.nodes WHERE cluster_id = ? AND NOT (id = ANY (?))")
                .params(cluster.id(), cluster.nodes().stream().map(Cluster.Node::id).toArray(String[]::new))
                .update();
        upsertNodes(cluster, passwords);
    }

    boolean delete(String id) {
        return jdbc.sql("DELETE FROM migration.clusters WHERE id = ?").param(id).update() > 0;
    }

    /** A node id held by another cluster is not taken over: the insert then fails on the primary key. */
    private void upsertNodes(Cluster cluster, Map<String, String> passwords) {
        for (Cluster.Node n : cluster.nodes()) {
            int changed = jdbc.sql("INSERT INTO migration.nodes (id, cluster_id, name, host, port, role, user_name, password, dbname, "
                            + "agent_url, monitoring_enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, port = excluded.port, "
                            + "role = excluded.role, user_name = excluded.user_name, password = excluded.password, dbname = excluded.dbname, "
                            + "agent_url = excluded.agent_url, monitoring_enabled = excluded.monitoring_enabled "
                            + "WHERE nodes.cluster_id = excluded.cluster_id")
                    .params(n.id(), cluster.id(), n.name(), n.host(), n.port(), n.role(), n.user(), passwords.getOrDefault(n.id(), ""),
                            n.dbname(), n.agentUrl(), n.monitoringEnabled())
                    .update();
            if (changed == 0) {
                throw new NodeTaken(n.id());
            }
        }
    }

    private static Cluster cluster(ResultSet rs, List<Cluster.Node> nodes) throws SQLException {
        Array tags = rs.getArray("tags");
        return new Cluster(rs.getString("id"), rs.getString("name"), nodes, Arrays.asList((String[]) tags.getArray()),
                rs.getString("backup_path"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static Cluster.Node node(ResultSet rs) throws SQLException {
        return new Cluster.Node(rs.getString("id"), rs.getString("name"), rs.getString("host"), rs.getInt("port"), rs.getString("role"),
                rs.getString("user_name"), rs.getBoolean("has_password"), rs.getString("dbname"), rs.getString("agent_url"),
                rs.getBoolean("monitoring_enabled"));
    }

    /** A node id that another cluster holds (found by the write itself, after a concurrent write). */
    static final class NodeTaken extends RuntimeException {
        final String nodeId;

        NodeTaken(String nodeId) {
            super("node id " + nodeId + " is used by another cluster", null, false, false);
            this.nodeId = nodeId;
        }
    }
}
