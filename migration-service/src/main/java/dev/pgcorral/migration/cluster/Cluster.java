package dev.pgcorral.migration.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registered cluster: its nodes (servers), tags and where its backups go. Holds no password: a node only says
 * whether it has one; {@link Clusters#connection} gives the decrypted connection details.
 *
 * @param nodes in id order when read, in request order right after a create
 * @param tags  never null; empty when none
 */
public record Cluster(String id, String name, List<Node> nodes, List<String> tags, String backupPath, Instant createdAt,
                      Instant updatedAt) {

    /** The user and database a node is connected with when it names none, as in pgmanager. */
    public static final String DEFAULT_USER = "postgres";
    public static final String DEFAULT_DATABASE = "postgres";

    public Cluster {
        nodes = List.copyOf(nodes);
        tags = List.copyOf(tags);
    }

    public Optional<Node> node(String nodeId) {
        return nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst();
    }

    /** The node to connect to when none is named: the first primary, else the first node (pgmanager's choice). */
    public Optional<Node> preferredNode() {
        return nodes.stream().filter(n -> "primary".equals(n.role())).findFirst().or(() -> nodes.stream().findFirst());
    }

    /**
     * One server of a cluster.
     *
     * @param user        as registered; {@code ""} means {@value #DEFAULT_USER}
     * @param hasPassword whether a password is stored (encrypted) for it
     * @param dbname      as registered; {@code ""} means {@value #DEFAULT_DATABASE}
     */
    public record Node(String id, String name, String host, int port, String role, String user, boolean hasPassword, String dbname,
                       String agentUrl, boolean monitoringEnabled) {

        /** The user it is connected as. */
        public String login() {
            return user.isEmpty() ? DEFAULT_USER : user;
        }

        /** The database it is connected to. */
        public String database() {
            return dbname.isEmpty() ? DEFAULT_DATABASE : dbname;
        }
    }
}
