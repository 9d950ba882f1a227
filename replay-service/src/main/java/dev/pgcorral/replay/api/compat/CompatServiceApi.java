package dev.pgcorral.replay.api.compat;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.replay.api.compat.CompatJson.ConfigJson;
import dev.pgcorral.replay.servers.Endpoints;

/** postgres-test-replay's {@code /health} and {@code /api/config}; the configuration shows no password. */
@RestController
class CompatServiceApi {

    private final Endpoints endpoints;

    CompatServiceApi(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @GetMapping("/health")
    Map<String, String> health() {
        return Map.of("status", "ok");
    }

    /**
     * The configured source and target, redacted; where things are kept: the change log, sessions and checkpoints in
     * the metadata schema {@code replay}, the checkpoints' copies as databases on the target server. There is no page
     * here ({@code ui_path} is empty): web-ui serves it.
     */
    @GetMapping("/api/config")
    ConfigJson config(HttpServletRequest request) {
        ConnectionDetails target = endpoints.target();
        String copies = "databases pgcr_* on " + target.withDatabase("postgres").redacted();
        return new ConfigJson(endpoints.source().redacted(), target.redacted(), new ConfigJson.Server(request.getLocalPort(), ""),
                new ConfigJson.Storage("table replay.changes", copies, "table replay.sessions", "table replay.checkpoints"));
    }
}
