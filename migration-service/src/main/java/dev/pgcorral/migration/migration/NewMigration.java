package dev.pgcorral.migration.migration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A create request in pgmanager's shape ({@code POST /api/v1/migrations}); {@link #problems()} gives its
 * validation messages, pgmanager's words first.
 */
public record NewMigration(String id, String name, String sourceClusterId, String destClusterId, String sourceNodeId, String destNodeId,
                           String mode, Boolean fallback, String slotName, String publication, Long copyWorkers) {

    /** A slot name PostgreSQL accepts; a publication name is any identifier up to 63 bytes. */
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
    static final int MAX_WORKERS = 64;

    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (blank(id)) {
            problems.add("migration id is required");
        }
        if (blank(name)) {
            problems.add("migration name is required");
        }
        if (blank(sourceClusterId)) {
            problems.add("source cluster is required");
        }
        if (blank(destClusterId)) {
            problems.add("destination cluster is required");
        }
        if (blank(sourceNodeId)) {
            problems.add("source node is required");
        }
        if (blank(destNodeId) && !Migrations.EMBEDDED.equals(destClusterId)) {
            problems.add("destination node is required");
        }
        if (!blank(sourceClusterId) && sourceClusterId.equals(destClusterId) && !blank(sourceNodeId) && sourceNodeId.equals(destNodeId)) {
            problems.add("source and destination cannot be the same node");
        }
        if (Migration.Mode.fromWire(mode) == null) {
            problems.add("invalid mode \"" + (mode == null ? "" : mode) + "\" (" + (blank(mode) ? "mode is required" : "not a mode")
                    + ": one of " + Arrays.stream(Migration.Mode.values()).map(Migration.Mode::wire).collect(Collectors.joining(", ")) + ")");
        }
        Migration.Mode m = Migration.Mode.fromWire(mode);
        if (Boolean.TRUE.equals(fallback) && m == Migration.Mode.CLONE_ONLY) {
            problems.add("fallback replicates the destination back to the source after a switchover: it needs a mode that follows");
        }
        if (Boolean.TRUE.equals(fallback) && Migrations.EMBEDDED.equals(destClusterId)) {
            problems.add("fallback needs a registered destination cluster: the embedded one cannot be replicated back from");
        }
        if (!blank(slotName) && !SLOT.matcher(slotName).matches()) {
            problems.add("slot_name must be 1 to 63 characters of a-z, 0-9 and _ (PostgreSQL's rule for slot names)");
        }
        if (!blank(publication) && publication.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            problems.add("publication must be at most 63 bytes");
        }
        if (!blank(id) && id.length() > 200) {
            problems.add("migration id must be at most 200 characters");
        }
        if (!blank(id) && (id.equals(".") || id.equals("..") || id.chars().anyMatch(c -> c == '/' || c == '\\' || c == ';'
                || Character.isISOControl(c)))) {
            problems.add("migration id must not contain '/', '\\', ';' or control characters, nor be '.' or '..': it is part of the API's "
                    + "paths");
        }
        if (copyWorkers != null && copyWorkers > MAX_WORKERS) {
            problems.add("copy_workers must be at most " + MAX_WORKERS + " (0 or less, or left out: the default)");
        }
        if (Migrations.EMBEDDED.equals(destClusterId) && !blank(destNodeId) && !Migrations.EMBEDDED.equals(destNodeId)) {
            problems.add("the embedded destination has one node, \"" + Migrations.EMBEDDED + "\": leave dest_node_id out or give that");
        }
        return problems;
    }

    /** {@code copy_workers}, or the default when ≤ 0 or absent (pgmanager's rule). */
    public int workers(int defaultWorkers) {
        return copyWorkers == null || copyWorkers <= 0 ? defaultWorkers : Math.toIntExact(copyWorkers); // at most MAX_WORKERS once valid
    }

    /** The slot name given, or {@code pgmanager_<id>} made a valid slot name (lower case, other characters as _). */
    public String slotOrDefault() {
        return blank(slotName) ? cut("pgmanager_" + sanitized(id)) : slotName;
    }

    public String publicationOrDefault() {
        return blank(publication) ? cut("pgmanager_pub_" + sanitized(id)) : publication;
    }

    private static String sanitized(String id) {
        return id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static String cut(String name) {
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
