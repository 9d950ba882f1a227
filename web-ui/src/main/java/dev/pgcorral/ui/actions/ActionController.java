package dev.pgcorral.ui.actions;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's buttons: JSON in, the service's answer out, errors as problem documents. Only JSON
 * requests are taken: a browser sends those cross-site only after a CORS preflight, which web-ui does
 * not allow, so another web site cannot press these buttons through a visitor's browser.
 */
@RestController
@RequestMapping("/services/{service}/actions")
public class ActionController {

    private final ServiceClient client;
    private final LockActions lock;

    public ActionController(ServiceClient client, LockActions lock) {
        this.client = client;
        this.lock = lock;
    }

    public record DatabaseRef(@NotNull @Min(1) @Max(65535) Integer port, @NotBlank @Size(max = 200) String database) {
    }

    public record MarkerRef(@NotBlank @Size(max = 200) String marker) {
    }

    /** The body of an action that takes no keys: {@code {}}, or none. */
    public record NoKeys() {
    }

    @PostMapping(value = "/force-release", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode forceRelease(@PathVariable String service, @Valid @RequestBody DatabaseRef ref) {
        return lock.forceRelease(lockService(service), ref.port(), ref.database());
    }

    @PostMapping(value = "/release-by-marker", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode releaseByMarker(@PathVariable String service, @Valid @RequestBody MarkerRef ref) {
        return lock.releaseByMarker(lockService(service), ref.marker());
    }

    @PostMapping(value = "/release-all", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode releaseAll(@PathVariable String service, @RequestBody(required = false) NoKeys body) {
        return lock.releaseAll(lockService(service));
    }

    @PostMapping(value = "/restart", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode restart(@PathVariable String service, @RequestBody(required = false) NoKeys body) {
        return lock.restart(lockService(service));
    }

    private UiProperties.Service lockService(String name) {
        return client.service(name, "lock");
    }
}
