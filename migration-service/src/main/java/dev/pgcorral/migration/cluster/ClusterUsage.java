package dev.pgcorral.migration.cluster;

import java.util.Collection;
import java.util.Optional;

/**
 * Tells whether something still needs a cluster: {@link Clusters#delete} refuses (409, naming the user) while any
 * registered {@code ClusterUsage} bean answers, and {@link Clusters#replace} while one uses a node the replacement
 * removes. With no such bean every cluster may be deleted or replaced.
 */
@FunctionalInterface
public interface ClusterUsage {

    /** The id of a migration that uses the cluster {@code clusterId} (as its source or destination), if there is one. */
    Optional<String> usedBy(String clusterId);

    /** The id of a migration that uses a node of {@code clusterId} other than {@code kept}, if there is one. */
    default Optional<String> usesNodeBesides(String clusterId, Collection<String> kept) {
        return Optional.empty();
    }
}
