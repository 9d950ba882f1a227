package dev.pgcorral.ui.actions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls a service's JSON API with its password (never sent to a browser); a failure is an {@link ApiException} with the service's message. */
@Component
public class ServiceClient {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final UiProperties properties;
    private final JsonMapper json;

    public ServiceClient(UiProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /** The configured service of that name and type; 404 when there is none. */
    public UiProperties.Service service(String name, String type) {
        UiProperties.Service service = properties.service(name);
        if (service == null || !type.equals(service.type())) {
            throw ApiException.notFound("no " + type + " service named '" + name + "' is configured");
        }
        return service;
    }

    public JsonNode get(UiProperties.Service service, String path) {
        return send(service, request(service, path).GET());
    }

    /** Posts {@code body} as JSON: a string as it is, anything else as Jackson writes it. */
    public JsonNode post(UiProperties.Service service, String path, Object body) {
        String text = body instanceof String ? (String) body : json.writeValueAsString(body);
        return send(service, request(service, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    /** A DELETE; the answer's body, null when it has none (204). */
    public JsonNode delete(UiProperties.Service service, String path) {
        return send(service, request(service, path).DELETE());
    }

    private static HttpRequest.Builder request(UiProperties.Service service, String path) {
        return HttpRequest.newBuilder(URI.create(service.url().toString().replaceAll("/+$", "") + path))
                .timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + (service.password() == null ? "" : service.password()));
    }

    /** The failure in words: the JDK's connection errors often carry no message ({@code ConnectException: null}). */
    private static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "connection refused (is it running?)"
                : e instanceof java.net.http.HttpTimeoutException ? "no answer in time" : e.getClass().getSimpleName();
    }

    private JsonNode send(UiProperties.Service service, HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Service unreachable",
                    service.name() + " at " + service.url() + " is not reachable: " + reason(e));
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
