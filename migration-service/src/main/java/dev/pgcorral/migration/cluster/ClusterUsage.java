package dev.pgcorral.migration.cluster;

import java.util.Optional;

/**
 * Tells whether something still needs a cluster: {@link Clusters#delete} refuses (409, naming the user) while any
 * registered {@code ClusterUsage} bean answers. With no such bean every cluster may be deleted.
 */
@FunctionalInterface
public interface ClusterUsage {

    /** The id of a migration that uses the cluster {@code clusterId} (as its source or destination), if there is one. */
    Optional<String> usedBy(String clusterId);
}
