package dev.pgcorral.migration.cluster;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.common.web.ValidationFailed;

/**
 * The cluster registry (pgmanager §3): create, read, replace and delete clusters, and the connection details of a
 * node with its password decrypted. Passwords are stored encrypted ({@link PasswordCipher}) and never leave
 * this class in plain text except inside {@link ConnectionDetails}. Failures a caller can act on are
 * {@link ApiException}s: 400 for an invalid body (nothing is written), 404 for an unknown cluster or node, 409
 * when an id is taken or a migration still uses the cluster.
 */
public class Clusters {

    /** What a response shows for a stored password; sent back on a replace it keeps that password. */
    public static final String MASK = "********";

    private static final Logger log = LoggerFactory.getLogger(Clusters.class);

    private final ClusterStore store;
    private final PasswordCipher cipher;
    private final TransactionTemplate transactions;
    /** A cluster and its nodes are two queries: read them from one snapshot. */
    private final TransactionTemplate reads;
    private final Supplier<Stream<ClusterUsage>> usages;

    Clusters(ClusterStore store, PasswordCipher cipher, TransactionTemplate transactions, Supplier<Stream<ClusterUsage>> usages) {
        this.store = store;
        this.cipher = cipher;
        this.transactions = transactions;
        this.reads = new TransactionTemplate(transactions.getTransactionManager());
        reads.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        reads.setReadOnly(true);
        this.usages = usages;
    }

    /** Every cluster, oldest first, nodes in id order. */
    public List<Cluster> list() {
        return reads.execute(tx -> store.all());
    }

    public Optional<Cluster> find(String id) {
        return reads.execute(tx -> store.find(id));
    }

    /**
     * Registers a cluster. A sent cluster or node id is kept, others are generated ({@code cl_}/{@code nd_} +
     * ULID). The result lists the nodes in request order.
     */
    public Cluster create(ClusterSpec spec) {
        validate(spec, true);
        String id = ClusterSpec.present(spec.id()) ? spec.id() : "cl_" + Ulid.next();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<String> nodeIds = nodeIds(spec);
        Map<String, String> passwords = new HashMap<>();
        List<ClusterSpec.NodeSpec> specs = spec.nodeList();
        for (int i = 0; i < specs.size(); i++) {
            String password = specs.get(i).password();
            passwords.put(nodeIds.get(i), password == null || MASK.equals(password) ? "" : cipher.encrypt(password));
        }
        Cluster cluster = build(id, spec, nodeIds, passwords, now, now);
        try {
            transactions.executeWithoutResult(tx -> {
                if (store.exists(id)) {
                    throw clusterTaken(id);
                }
                refuseTakenNodes(nodeIds, null);
                store.insert(cluster, passwords);
            });
        } catch (DuplicateKeyException e) {
            throw clusterTaken(id);
        } catch (ClusterStore.NodeTaken e) {
            throw nodeTaken(e.nodeId, nodeIds.indexOf(e.nodeId), null);
        }
        return cluster;
    }

    /**
     * Replaces a cluster's name, tags, backup path and nodes (pgmanager's full replacement). A node password that is
     * absent, or exactly {@value #MASK}, keeps the one stored for the node with the same id (pgmanager erased an
     * absent one), as long as the node keeps its host, port and user: a stored password goes only to the server and user it
     * was given for, else the node's password is required (400); {@code ""} clears it; another value replaces it. Returns
     * the cluster as stored, nodes in id order.
     */
    public Cluster replace(String id, ClusterSpec spec) {
        validate(spec, false);
        List<String> nodeIds = nodeIds(spec);
        try {
            transactions.executeWithoutResult(tx -> {
                Cluster old = store.lock(id).orElseThrow(() -> ApiException.notFound("cluster \"" + id + "\" not found"));
                usages.get().map(u -> u.usesNodeBesides(id, nodeIds)).flatMap(Optional::stream).findFirst().ifPresent(migration -> {
                    throw ApiException.conflict("cluster \"" + id + "\" was not changed: migration \"" + migration + "\" uses a node this "
                            + "replacement removes; keep that node (same id) or delete the migration first");
                });
                refuseTakenNodes(nodeIds, id);
                Map<String, String> stored = store.storedPasswords(id);
                Map<String, String> passwords = new HashMap<>();
                List<ClusterSpec.NodeSpec> specs = spec.nodeList();
                List<String> moved = new ArrayList<>();
                for (int i = 0; i < specs.size(); i++) {
                    ClusterSpec.NodeSpec node = specs.get(i);
                    String password = node.password();
                    String nodeId = nodeIds.get(i);
                    boolean keep = password == null || MASK.equals(password);
                    if (keep && !stored.getOrDefault(nodeId, "").isEmpty() && !sameLogin(old, nodeId, node)) {
                        moved.add("node " + i + ": its password is required, since its host, port or user changed: the stored one is "
                                + "sent only to the server and user it was given for (send it again, or \"\" for none)");
                    }
                    passwords.put(nodeId, keep ? stored.getOrDefault(nodeId, "") : password.isEmpty() ? "" : cipher.encrypt(password));
                }
                if (!moved.isEmpty()) {
                    throw new ValidationFailed(moved);
                }
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                store.replace(build(id, spec, nodeIds, passwords, old.createdAt(), now), passwords);
            });
        } catch (ClusterStore.NodeTaken e) {
            throw nodeTaken(e.nodeId, nodeIds.indexOf(e.nodeId), id);
        } catch (DataIntegrityViolationException e) {
            log.info("replacing cluster {} violated a constraint: {}", id, e.getMostSpecificCause().getMessage());
            throw ApiException.conflict("cluster \"" + id + "\" was not changed: a node this replacement removes is still used by a"
                    + " migration; keep that node (same id) or delete the migration first");
        }
        return find(id).orElseThrow(() -> ApiException.notFound("cluster \"" + id + "\" not found"));
    }

    /** Whether the stored node {@code nodeId} of {@code old} logs in to the same host and port as the same user as {@code node}. */
    private static boolean sameLogin(Cluster old, String nodeId, ClusterSpec.NodeSpec node) {
        return old.nodes().stream().filter(n -> n.id().equals(nodeId)).findFirst()
                .map(n -> n.host().equals(node.host()) && node.port() != null && n.port() == node.port()
                        && n.login().equals(text(node.user()).isEmpty() ? Cluster.DEFAULT_USER : node.user()))
                .orElse(false);
    }

    /** Deletes a cluster and its nodes; 409 while a migration uses it. */
    public void delete(String id) {
        if (!store.exists(id)) {
            throw ApiException.notFound("cluster \"" + id + "\" not found");
        }
        Optional<String> migration = usages.get().map(u -> u.usedBy(id)).flatMap(Optional::stream).findFirst();
        if (migration.isPresent()) {
            throw ApiException.conflict("cluster \"" + id + "\" is used by migration \"" + migration.get()
                    + "\"; delete that migration first");
        }
        boolean deleted;
        try {
            deleted = store.delete(id);
        } catch (DataIntegrityViolationException e) {
            throw ApiException.conflict("cluster \"" + id + "\" is still used by a migration; delete its migrations first");
        }
        if (!deleted) {
            throw ApiException.notFound("cluster \"" + id + "\" not found");
        }
    }

    /**
     * How to connect to a node: its host and port, its database or {@code postgres}, its user or {@code postgres},
     * and its password decrypted.
     *
     * @throws ApiException 404 naming the cluster or the node that is not registered; 500 naming the key settings
     *                      when the stored password cannot be decrypted
     */
    public ConnectionDetails connection(String clusterId, String nodeId) {
        Cluster cluster = find(clusterId).orElseThrow(() -> ApiException.notFound("cluster \"" + clusterId + "\" not found"));
        Cluster.Node node = cluster.node(nodeId)
                .orElseThrow(() -> ApiException.notFound("node \"" + nodeId + "\" not found in cluster \"" + clusterId + "\""));
        return connection(cluster, node);
    }

    /** {@link #connection(String, String)} for a node already read. */
    public ConnectionDetails connection(Cluster cluster, Cluster.Node node) {
        String stored = store.storedPasswords(cluster.id()).getOrDefault(node.id(), "");
        try {
            return new ConnectionDetails(node.host(), node.port(), node.database(), node.login(), cipher.decrypt(stored));
        } catch (PasswordCipher.UndecryptablePassword e) {
            String detail = "the stored password of node \"" + node.id() + "\" in cluster \"" + cluster.id() + "\" cannot be decrypted: "
                    + e.getMessage() + ". Set pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY) or pgcorral.migration.key-file back"
                    + " to the key it was stored with, or send the node's password again with PUT /api/v1/clusters/" + cluster.id();
            log.warn(detail);
            throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "Stored password unreadable", detail);
        }
    }

    /** The ids of the nodes whose stored password the current key cannot decrypt (another key, or not encrypted). */
    public List<String> undecryptableNodes() {
        List<String> nodes = new ArrayList<>();
        store.allStoredPasswords().forEach((node, stored) -> {
            try {
                cipher.decrypt(stored);
            } catch (PasswordCipher.UndecryptablePassword e) {
                nodes.add(node);
            }
        });
        return nodes;
    }

    private static void validate(ClusterSpec spec, boolean create) {
        List<String> problems = spec == null ? List.of("cluster name is required", "at least one node is required") : spec.problems(create);
        if (!problems.isEmpty()) {
            throw new ValidationFailed(problems);
        }
    }

    /** The id of each node in request order: the one sent, else a new one. */
    private static List<String> nodeIds(ClusterSpec spec) {
        List<String> ids = new ArrayList<>();
        for (ClusterSpec.NodeSpec node : spec.nodeList()) {
            ids.add(ClusterSpec.present(node.id()) ? node.id() : "nd_" + Ulid.next());
        }
        return ids;
    }

    private void refuseTakenNodes(List<String> nodeIds, String clusterId) {
        Map<String, String> owners = store.nodeOwners(nodeIds, clusterId);
        if (!owners.isEmpty()) {
            Map.Entry<String, String> first = owners.entrySet().iterator().next();
            throw nodeTaken(first.getKey(), nodeIds.indexOf(first.getKey()), first.getValue());
        }
    }

    private static ApiException clusterTaken(String id) {
        return ApiException.conflict("cluster id \"" + id + "\" is already taken; choose another id or leave it out to have one generated");
    }

    private static ApiException nodeTaken(String nodeId, int index, String owner) {
        return ApiException.conflict("node " + index + ": node id \"" + nodeId + "\" already belongs to "
                + (owner == null ? "another cluster" : "cluster \"" + owner + "\"")
                + "; node ids are unique over all clusters: choose another id or leave it out to have one generated");
    }

    private static Cluster build(String id, ClusterSpec spec, List<String> nodeIds, Map<String, String> passwords, Instant created,
                                 Instant updated) {
        List<Cluster.Node> nodes = new ArrayList<>();
        List<ClusterSpec.NodeSpec> specs = spec.nodeList();
        for (int i = 0; i < specs.size(); i++) {
            ClusterSpec.NodeSpec n = specs.get(i);
            nodes.add(new Cluster.Node(nodeIds.get(i), text(n.name()), n.host(), n.port(), text(n.role()), text(n.user()),
                    !passwords.getOrDefault(nodeIds.get(i), "").isEmpty(), text(n.dbname()), text(n.agentUrl()),
                    Boolean.TRUE.equals(n.monitoringEnabled())));
        }
        return new Cluster(id, spec.name(), nodes, spec.tagList(), text(spec.backupPath()), created, updated);
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }
}
