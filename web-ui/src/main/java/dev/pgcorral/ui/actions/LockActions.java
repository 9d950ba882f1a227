package dev.pgcorral.ui.actions;

import java.util.Map;

import org.springframework.stereotype.Component;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;

/**
 * Actions on a lock-service, run by web-ui with the service's password (which never reaches a browser):
 * force-release a database, release by marker, release all, restart. A failure comes back as an
 * {@link ApiException} carrying the service's own message.
 */
@Component
public class LockActions {

    private final ServiceClient client;

    public LockActions(ServiceClient client) {
        this.client = client;
    }

    public JsonNode forceRelease(UiProperties.Service service, int port, String database) {
        return client.post(service, "/api/v1/force-release", Map.of("port", port, "database", database));
    }

    public JsonNode releaseByMarker(UiProperties.Service service, String marker) {
        return client.post(service, "/api/v1/force-release", Map.of("marker", marker));
    }

    public JsonNode releaseAll(UiProperties.Service service) {
        return client.post(service, "/api/v1/release-all", "{}");
    }

    public JsonNode restart(UiProperties.Service service) {
        return client.post(service, "/api/v1/restart", "{}");
    }
}
