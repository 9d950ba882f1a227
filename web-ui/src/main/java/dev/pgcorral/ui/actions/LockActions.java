package dev.pgcorral.ui.actions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Actions on a lock-service, run by web-ui with the service's password (which never reaches a browser):
 * force-release a database, release by marker, release all, restart. A failure comes back as an
 * {@link ApiException} carrying the service's own message.
 */
@Component
public class LockActions {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json;

    public LockActions(JsonMapper json) {
        this.json = json;
    }

    public JsonNode forceRelease(UiProperties.Service service, int port, String database) {
        return post(service, "/api/v1/force-release", json.writeValueAsString(Map.of("port", port, "database", database)));
    }

    public JsonNode releaseByMarker(UiProperties.Service service, String marker) {
        return post(service, "/api/v1/force-release", json.writeValueAsString(Map.of("marker", marker)));
    }

    public JsonNode releaseAll(UiProperties.Service service) {
        return post(service, "/api/v1/release-all", "{}");
    }

    public JsonNode restart(UiProperties.Service service) {
        return post(service, "/api/v1/restart", "{}");
    }

    private JsonNode post(UiProperties.Service service, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url().toString().replaceAll("/+$", "") + path))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + (service.password() == null ? "" : service.password()))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Service unreachable",
                    service.name() + " at " + service.url() + " is not reachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", "interrupted");
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() >= 400) {
            String detail = answer != null && answer.hasNonNull("detail") ? answer.get("detail").asString() : response.body();
            HttpStatus status = HttpStatus.resolve(response.statusCode());
            throw new ApiException(status == null || status == HttpStatus.UNAUTHORIZED ? HttpStatus.BAD_GATEWAY : status,
                    service.name() + " refused", response.statusCode() == 401
                    ? service.name() + " rejected web-ui's password; check pgcorral.ui.services[].password" : detail);
        }
        return answer;
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : json.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
