package dev.pgcorral.migration.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.api.ClusterApiJson.ClusterJson;
import dev.pgcorral.migration.cluster.Cluster;
import dev.pgcorral.migration.cluster.ClusterSpec;
import dev.pgcorral.migration.cluster.Clusters;

/**
 * pgmanager's cluster registry, {@code /api/v1/clusters} (its §3): list, create (201), read, replace, delete (204).
 * Bodies are pgmanager's objects ({@link ClusterApiJson}). Unlike pgmanager, every success body is
 * {@code application/json} (the 201 too), a client's cluster and node ids are kept, and errors are RFC 9457
 * problem documents ({@code application/problem+json}) whose {@code detail} is pgmanager's message text
 * (e.g. {@code validation: cluster name is required}, {@code cluster not found}): a client that showed
 * pgmanager's plain-text error shows the same words from {@code detail}. An unknown id is 404 on every route;
 * 409 is only for a taken id or a cluster (on a replace, a node) a migration still uses, and says which.
 */
@RestController
@RequestMapping("/api/v1/clusters")
public class ClusterApi {

    private final Clusters clusters;

    public ClusterApi(Clusters clusters) {
        this.clusters = clusters;
    }

    /** Oldest first ({@code created_at}); {@code []} when none. */
    @GetMapping
    public List<ClusterJson> list() {
        return clusters.list().stream().map(ClusterJson::of).toList();
    }

    /** 201 with the cluster, its nodes in request order. */
    @PostMapping
    public ResponseEntity<ClusterJson> create(@RequestBody(required = false) ClusterSpec body) {
        Cluster cluster = clusters.create(body);
        return ResponseEntity.created(URI.create("/api/v1/clusters/" + cluster.id())).contentType(MediaType.APPLICATION_JSON)
                .body(ClusterJson.of(cluster));
    }

    @GetMapping("/{id}")
    public ClusterJson get(@PathVariable String id) {
        return ClusterJson.of(clusters.find(id).orElseThrow(() -> ApiException.notFound("cluster not found")));
    }

    /** A full replacement; see {@link Clusters#replace} for what a node password sent (or not) does. */
    @PutMapping("/{id}")
    public ClusterJson replace(@PathVariable String id, @RequestBody(required = false) ClusterSpec body) {
        return ClusterJson.of(clusters.replace(id, body));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        clusters.delete(id);
        return ResponseEntity.noContent().build();
    }
}
