package dev.pgcorral.migration.cluster;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.ApiException;

/**
 * Connection tests and introspection: of a connection string a client sends (pgmanager's test-connection), and
 * of a registered node picked by id (so a client never needs its password). Without a node id the first
 * primary is used, else the first node; errors use pgmanager's words ({@code cluster not found},
 * {@code node not found}, {@code no node available}).
 */
public class ClusterProbes {

    private final Clusters clusters;
    private final ConnectionTester tester;
    private final Introspector introspector;

    ClusterProbes(Clusters clusters, ConnectionTester tester, Introspector introspector) {
        this.clusters = clusters;
        this.tester = tester;
        this.introspector = introspector;
    }

    /** Always a result, reachable or not; 400 {@code dsn is required} when there is none. */
    public ConnectionTest testConnection(String dsn) {
        if (dsn == null || dsn.isBlank()) {
            throw ApiException.badRequest("dsn is required");
        }
        return tester.test(dsn);
    }

    /** Tests the node {@code nodeId} (or the preferred one when null or empty) of a registered cluster. */
    public ConnectionTest testNode(String clusterId, String nodeId) {
        return tester.test(target(clusterId, nodeId), null);
    }

    /** Introspects the node {@code nodeId} (or the preferred one); 502 {@code connect: ...} when it cannot be reached. */
    public Introspection introspect(String clusterId, String nodeId) {
        return introspector.introspect(target(clusterId, nodeId));
    }

    private ConnectionDetails target(String clusterId, String nodeId) {
        Cluster cluster = clusters.find(clusterId).orElseThrow(() -> ApiException.notFound("cluster not found"));
        Cluster.Node node = nodeId != null && !nodeId.isEmpty()
                ? cluster.node(nodeId).orElseThrow(() -> ApiException.notFound("node not found"))
                : cluster.preferredNode().orElseThrow(() -> ApiException.badRequest("no node available"));
        return clusters.connection(cluster, node);
    }
}
