package dev.pgcorral.migration.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.migration.Migration;
import dev.pgcorral.migration.migration.Migrations;
import dev.pgcorral.migration.migration.NewMigration;
import tools.jackson.databind.JsonNode;

/**
 * pgmanager's migration API ({@code /api/v1/migrations}): the same paths, bodies and status codes, with
 * its defects fixed (201 bodies are JSON, an unknown id is 404 on every route). Errors are problem
 * documents whose {@code detail} is pgmanager's message.
 */
@RestController
@RequestMapping(path = "/api/v1/migrations", produces = MediaType.APPLICATION_JSON_VALUE)
class MigrationApi {

    /** The create body, pgmanager's field names. */
    record CreateBody(String id, String name, @JsonProperty("source_cluster_id") String sourceClusterId,
                      @JsonProperty("dest_cluster_id") String destClusterId, @JsonProperty("source_node_id") String sourceNodeId,
                      @JsonProperty("dest_node_id") String destNodeId, String mode, Boolean fallback,
                      @JsonProperty("slot_name") String slotName, String publication, @JsonProperty("copy_workers") Long copyWorkers) {
    }

    record Ack(boolean ok, String message) {
    }

    private final Migrations migrations;

    MigrationApi(Migrations migrations) {
        this.migrations = migrations;
    }

    @GetMapping
    List<Map<String, Object>> list() {
        return migrations.list().stream().map(m -> json(m, false)).toList();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(@RequestBody(required = false) CreateBody body) {
        if (body == null) { // JSON's null: an object without fields, as pgmanager reads it (an empty body: EmptyBodies)
            body = new CreateBody(null, null, null, null, null, null, null, null, null, null, null);
        }
        Migration created = migrations.create(new NewMigration(body.id(), body.name(), body.sourceClusterId(), body.destClusterId(),
                body.sourceNodeId(), body.destNodeId(), body.mode(), body.fallback(), body.slotName(), body.publication(), body.copyWorkers()));
        return ResponseEntity.created(URI.create("/api/v1/migrations/" + UriUtils.encodePathSegment(created.id(), StandardCharsets.UTF_8)))
                .body(json(created, false));
    }

    @GetMapping("/{id}")
    Map<String, Object> get(@PathVariable String id) {
        return json(migrations.get(id), true);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id, @RequestParam(defaultValue = "false") boolean force,
                @RequestParam(name = "keep_slot", required = false) String keepSlot, HttpServletRequest request) {
        migrations.delete(id, force, Boolean.TRUE.equals(once("keep_slot", request, flag("keep_slot", keepSlot), null)));
    }

    @PostMapping("/{id}/start")
    Ack start(@PathVariable String id) {
        migrations.start(id);
        return new Ack(true, "migration started");
    }

    /** Stops a run; {@code keep_slot} (query, or JSON body as the switchover's {@code timeout_sec}): keep the slot. */
    @PostMapping("/{id}/stop")
    Ack stop(@PathVariable String id, @RequestParam(name = "keep_slot", required = false) String keepQuery,
             @RequestBody(required = false) JsonNode body, HttpServletRequest request) {
        Boolean keep = once("keep_slot", request, flag("keep_slot", keepQuery), CallBody.of(body, "keep_slot").bool("keep_slot"));
        migrations.stop(id, Boolean.TRUE.equals(keep));
        return new Ack(true, "stop requested");
    }

    /**
     * Starts a switchover of a migration that follows its source; {@code timeout_sec} (query or JSON body, as
     * pgmanager's legacy call): how long the source's writes may be stopped.
     */
    @PostMapping("/{id}/switchover")
    Ack switchover(@PathVariable String id, @RequestParam(name = "timeout_sec", required = false) Long timeoutQuery,
                   @RequestBody(required = false) JsonNode body, HttpServletRequest request) {
        // long: a huge one in the query gets this range's words
        Long seconds = once("timeout_sec", request, timeoutQuery, CallBody.of(body, "timeout_sec").whole("timeout_sec", 1, 3600, "seconds"));
        if (seconds != null && (seconds < 1 || seconds > 3600)) {
            throw ApiException.badRequest("timeout_sec must be between 1 and 3600 seconds, was " + seconds);
        }
        migrations.switchover(id, seconds == null ? null : java.time.Duration.ofSeconds(seconds));
        return new Ack(true, "switchover started");
    }

    /** Ours: source against destination per table, row counts and content hashes. */
    @PostMapping("/{id}/compare")
    Map<String, Object> compare(@PathVariable String id) {
        return MigrationJson.compare(migrations.compare(id));
    }

    /** Unlike pgmanager's, the log of every run, kept in the state store across restarts: its last lines, oldest first. */
    @GetMapping("/{id}/logs")
    List<Map<String, Object>> logs(@PathVariable String id) {
        return MigrationJson.logs(migrations.logs(id));
    }

    /**
     * A value that may come in the query or the JSON body: given in both, they must agree; given empty in the query
     * ({@code ?timeout_sec=}), it is refused rather than read as left out.
     */
    private static <T> T once(String name, HttpServletRequest request, T query, T body) {
        if (query == null && request.getQueryString() != null
                && UriComponentsBuilder.newInstance().query(request.getQueryString()).build().getQueryParams().containsKey(name)) {
            throw ApiException.badRequest(name + " is empty in the query: give it a value, or leave it out");
        }
        if (query != null && body != null && !query.equals(body)) {
            throw ApiException.badRequest(name + " is " + query + " in the query and " + body + " in the body: give it once, or the "
                    + "same in both");
        }
        return query != null ? query : body;
    }

    /**
     * A query flag of ours: {@code true} or {@code false} (any case); null when absent or empty (which {@link #once}
     * refuses). Nothing else, so that no value is read the way it was not meant ({@code ?keep_slot=1}, {@code =no}).
     */
    private static Boolean flag(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.valueOf(value);
        }
        throw ApiException.badRequest(name + " must be true or false, was " + value);
    }

    /** {@code lagHistory}: with {@code live_lag_history}, for one migration's own answer (300 points a following one). */
    private Map<String, Object> json(Migration m, boolean lagHistory) {
        return MigrationJson.migration(m, migrations.live(m.id()).orElse(null), migrations.store(), migrations.embeddedDestination(m),
                lagHistory);
    }
}
