package dev.pgcorral.migration.api;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.migration.cluster.ClusterProbes;
import dev.pgcorral.migration.cluster.ConnectionTest;
import dev.pgcorral.migration.cluster.Introspection;

/**
 * Connection tests and introspection under {@code /api/v1/clusters}: pgmanager's {@code POST test-connection}
 * (a connection string; 200 whether reachable or not) and {@code GET {id}/introspect}, and our
 * {@code GET {id}/test-connection}, which tests a registered node so a client never handles its password. All
 * three add {@code migration_readiness}. Like every {@code /api/} route they are behind
 * {@link ApiAuthentication}, so they cannot be used to probe other hosts from outside.
 */
@RestController
@RequestMapping("/api/v1/clusters")
public class ClusterProbeApi {

    /** @param dsn a {@code postgresql://} URL or a key=value connection string */
    public record TestConnectionRequest(String dsn) {
        @Override
        public String toString() {
            return "TestConnectionRequest[dsn=(hidden)]";
        }
    }

    private final ClusterProbes probes;

    public ClusterProbeApi(ClusterProbes probes) {
        this.probes = probes;
    }

    @PostMapping("/test-connection")
    public ConnectionTest testConnection(@RequestBody TestConnectionRequest body) {
        return probes.testConnection(body == null ? null : body.dsn());
    }

    /** Tests the node {@code node}, or the cluster's first primary, else its first node. */
    @GetMapping("/{id}/test-connection")
    public ConnectionTest testNode(@PathVariable String id, @RequestParam(name = "node", required = false) String node) {
        return probes.testNode(id, node);
    }

    @GetMapping("/{id}/introspect")
    public Introspection introspect(@PathVariable String id, @RequestParam(name = "node", required = false) String node) {
        return probes.introspect(id, node);
    }
}
