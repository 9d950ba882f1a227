package dev.pgcorral.migration.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * A cluster as a client sends it to create or replace one (pgmanager's request body, snake_case). Empty strings
 * count as absent, as in pgmanager. {@link #toString()} never shows a password.
 *
 * @param id    kept when sent (create only); else generated
 * @param nodes at least one
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClusterSpec(String id, String name, List<NodeSpec> nodes, List<String> tags, String backupPath) {

    /** What a client may use as a cluster or node id: it has to fit in a URL path segment as it is. */
    static final Pattern ID = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._~-]{1,100}");
    static final String ID_RULE = "must be 1 to 100 letters, digits, '.', '_', '~' or '-', and not '.' or '..' (which a path reads as a folder)";
    /** The most characters a cluster's name may have. */
    static final int MAX_NAME = 200;

    /** A host name or an IP address (IPv6 without brackets, with an optional zone): nothing a JDBC URL could read as more. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");
    static final String HOST_RULE = "must be a host name or an IP address (an IPv6 address without brackets)";

    /**
     * A node as sent.
     *
     * @param password the password; on a replace, absent or exactly {@value Clusters#MASK} keeps the one stored for the node
     *                 with this id while its host, port and user stay (see {@link Clusters#replace}), and {@code ""} clears it
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record NodeSpec(String id, String name, String host, Integer port, String role, String user, String password, String dbname,
                           String agentUrl, Boolean monitoringEnabled) {

        @Override
        public String toString() {
            return "NodeSpec[id=" + id + ", host=" + host + ", port=" + port + ", user=" + user + ", password="
                    + (password == null || password.isEmpty() ? "" : "(set)") + ", dbname=" + dbname + "]";
        }
    }

    /** The nodes as sent, a missing list as empty; a {@code null} entry as an empty node. */
    public List<NodeSpec> nodeList() {
        List<NodeSpec> list = new ArrayList<>();
        if (nodes != null) {
            for (NodeSpec node : nodes) {
                list.add(node != null ? node : new NodeSpec(null, null, null, null, null, null, null, null, null, null));
            }
        }
        return list;
    }

    /** The tags as sent without null entries (which {@link #problems} refuses); a missing list as empty. */
    public List<String> tagList() {
        return tags == null ? List.of() : tags.stream().filter(Objects::nonNull).toList();
    }

    /**
     * pgmanager's validation messages ({@code cluster name is required}, {@code at least one node is required},
     * {@code node N: host is required}, {@code node N: port is required}, N from 0) and ours: the port range, the
     * form of ids and hosts, a node id sent twice, no NUL character in any text.
     *
     * @param checkClusterId whether a sent cluster id counts (a create); a replace takes the id from the path
     */
    public List<String> problems(boolean checkClusterId) {
        List<String> problems = new ArrayList<>();
        if (checkClusterId && present(id) && !ID.matcher(id).matches()) {
            problems.add("cluster id " + ID_RULE);
        }
        if (!present(name) || name.isBlank()) {
            problems.add("cluster name is required");
        } else if (name.length() > MAX_NAME) {
            problems.add("cluster name must be at most " + MAX_NAME + " characters (was " + name.length() + ")");
        }
        noNul(problems, "cluster ", Map.of("name", text(name), "backup_path", text(backupPath), "tags", String.join(",", tagList())));
        for (int i = 0; tags != null && i < tags.size(); i++) {
            if (tags.get(i) == null) {
                problems.add("tag " + i + " must be a string (was null)");
            }
        }
        List<NodeSpec> list = nodeList();
        if (list.isEmpty()) {
            problems.add("at least one node is required");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            NodeSpec node = list.get(i);
            if (present(node.id())) {
                if (!ID.matcher(node.id()).matches()) {
                    problems.add("node " + i + ": id " + ID_RULE);
                } else if (seen.containsKey(node.id())) {
                    problems.add("node " + i + ": id " + node.id() + " is also the id of node " + seen.get(node.id()));
                } else {
                    seen.put(node.id(), i);
                }
            }
            if (!present(node.host()) || node.host().isBlank()) {
                problems.add("node " + i + ": host is required");
            } else if (!validHost(node.host())) {
                problems.add("node " + i + ": host " + HOST_RULE);
            }
            if (node.port() == null || node.port() == 0) {
                problems.add("node " + i + ": port is required");
            } else if (node.port() < 1 || node.port() > 65535) {
                problems.add("node " + i + ": port must be between 1 and 65535 (was " + node.port() + ")");
            }
            noNul(problems, "node " + i + ": ", Map.of("name", text(node.name()), "role", text(node.role()), "user", text(node.user()),
                    "password", text(node.password()), "dbname", text(node.dbname()), "agent_url", text(node.agentUrl())));
        }
        return problems;
    }

    /** PostgreSQL's text cannot hold NUL, nor can a connection's user, password or database name. */
    private static void noNul(List<String> problems, String prefix, Map<String, String> fields) {
        fields.entrySet().stream().filter(f -> f.getValue().indexOf('\0') >= 0).map(Map.Entry::getKey).sorted()
                .forEach(field -> problems.add(prefix + field + " must not contain a NUL character (\\u0000)"));
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    static boolean validHost(String host) {
        return HOST.matcher(host).matches();
    }

    static boolean present(String value) {
        return value != null && !value.isEmpty();
    }
}
