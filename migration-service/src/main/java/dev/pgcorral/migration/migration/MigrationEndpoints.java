package dev.pgcorral.migration.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.http.HttpStatus;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.state.EmbeddedServer;

/**
 * Where a migration's two ends are: its source, a registered node; its destination, a registered node or, for the
 * cluster {@value #EMBEDDED}, a database on the embedded server named after the migration ({@link #embeddedDatabase}).
 */
final class MigrationEndpoints {

    static final String EMBEDDED = "embedded";

    private final NodeResolver nodes;
    private final EmbeddedServer embedded;

    MigrationEndpoints(NodeResolver nodes, EmbeddedServer embedded) {
        this.nodes = nodes;
        this.embedded = embedded;
    }

    ConnectionDetails source(Migration m) {
        return nodes.connection(m.sourceClusterId(), m.sourceNodeId());
    }

    ConnectionDetails destination(Migration m) {
        if (EMBEDDED.equals(m.destClusterId())) {
            try {
                return embedded.database(embeddedDatabase(m.id()));
            } catch (RuntimeException e) {
                throw ApiException.conflict("the embedded destination is not available: " + e.getMessage() + "; point "
                        + "pgcorral.migration.embedded.data-dir at a folder the service may write, or clone into a registered cluster");
            }
        }
        return nodes.connection(m.destClusterId(), m.destNodeId());
    }

    /** An embedded destination's database, with the server's address and user, while the server runs; empty for any other. */
    Optional<ConnectionDetails> embeddedDestination(Migration m) {
        return EMBEDDED.equals(m.destClusterId()) ? embedded.whereIs(embeddedDatabase(m.id())) : Optional.empty();
    }

    /** Why the request's source and destination do not name registered nodes; empty when they do (or are not given). */
    List<String> unknown(NewMigration request) {
        List<String> unknown = new ArrayList<>();
        node("source", request.sourceClusterId(), request.sourceNodeId(), unknown);
        if (!EMBEDDED.equals(request.destClusterId())) {
            node("destination", request.destClusterId(), request.destNodeId(), unknown);
        }
        return unknown;
    }

    private void node(String which, String clusterId, String nodeId, List<String> unknown) {
        if (clusterId == null || clusterId.isBlank() || nodeId == null || nodeId.isBlank()) {
            return; // a missing id is the request's own problem (NewMigration)
        }
        try {
            nodes.connection(clusterId, nodeId);
        } catch (ApiException e) {
            if (e.status() != HttpStatus.NOT_FOUND) {
                throw e;
            }
            unknown.add(which + ": " + e.getMessage());
        }
    }

    /** The embedded destination's database: the migration id in lower case, other characters as _. */
    static String embeddedDatabase(String id) {
        String name = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }
}
