package dev.pgcorral.migration.migration;

import dev.pgcorral.common.pg.ConnectionDetails;

/** Where a registered node is, with its password: the cluster registry answers. */
@FunctionalInterface
public interface NodeResolver {

    /** @throws dev.pgcorral.common.web.ApiException 404 when the cluster or the node is unknown */
    ConnectionDetails connection(String clusterId, String nodeId);
}
