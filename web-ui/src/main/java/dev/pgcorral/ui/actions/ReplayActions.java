package dev.pgcorral.ui.actions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;

/** What the replay page asks of a replay-service's {@code /api/v1}: checkpoints, the change log, restores, compare. */
@Component
public class ReplayActions {

    private final ServiceClient client;

    public ReplayActions(ServiceClient client) {
        this.client = client;
    }

    /** Which page of a session's change log; {@code table} and {@code operation} may be null (no filter). */
    public record ChangePage(String order, int page, int size, String table, String operation) {

        String query() {
            StringBuilder query = new StringBuilder("?order=").append(order).append("&page=").append(page).append("&size=").append(size);
            if (table != null && !table.isBlank()) {
                query.append("&table=").append(URLEncoder.encode(table.strip(), StandardCharsets.UTF_8));
            }
            if (operation != null && !operation.isBlank()) {
                query.append("&operation=").append(operation);
            }
            return query.toString();
        }
    }

    public JsonNode checkpoints(UiProperties.Service service, UUID session) {
        return client.get(service, path(session, "/checkpoints"));
    }

    public JsonNode createCheckpoint(UiProperties.Service service, UUID session, String name, String description) {
        return client.post(service, path(session, "/checkpoints"),
                Map.of("name", name, "description", description == null ? "" : description));
    }

    public JsonNode changes(UiProperties.Service service, UUID session, ChangePage page) {
        return client.get(service, path(session, "/changes" + page.query()));
    }

    /** Starts moving the session's target to the checkpoint (a UUID, {@code creation} or {@code migration}); answers at once. */
    public JsonNode startRestore(UiProperties.Service service, UUID session, String checkpointId) {
        return client.post(service, path(session, "/restores"), Map.of("checkpointId", checkpointId));
    }

    public JsonNode restore(UiProperties.Service service, UUID session, UUID restore) {
        return client.get(service, path(session, "/restores/" + restore));
    }

    /** The session's target against {@code source} or a checkpoint's kept copy, table by table. */
    public JsonNode compare(UiProperties.Service service, UUID session, String against) {
        return client.post(service, path(session, "/compare"), Map.of("against", against));
    }

    private static String path(UUID session, String rest) {
        return "/api/v1/sessions/" + session + rest;
    }
}
