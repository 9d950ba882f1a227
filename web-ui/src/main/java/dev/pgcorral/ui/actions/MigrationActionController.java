package dev.pgcorral.ui.actions;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.JsonNode;

/**
 * The migration page's reads (GETs that change nothing on the service) and buttons (JSON only, as
 * {@link ActionController}'s): clusters and migrations of a migration-service, called with its password.
 * The service's own checks stay the authority; these only keep what is sent on well-formed.
 */
@RestController
@RequestMapping("/services/{service}/actions")
public class MigrationActionController {

    /** An id the service chose ({@code cl_…}, {@code nd_…}) or a client did: one path segment. */
    static final String ID = "[^/\\\\]{1,200}";
    /** A migration id typed on the page: it also names the embedded destination's database. */
    static final String NEW_ID = "[A-Za-z0-9][A-Za-z0-9_.-]{0,62}";
    static final String ID_MESSAGE = "must be an id (no '/', at most 200 characters)";

    private final ServiceClient client;
    private final MigrationActions migrations;

    public MigrationActionController(ServiceClient client, MigrationActions migrations) {
        this.client = client;
        this.migrations = migrations;
    }

    /** A cluster of one node, as the page's form sends it. */
    public record ClusterForm(@NotBlank @Size(max = 200) String name,
                              @Size(max = 200) String nodeName,
                              @NotBlank @Size(max = 255) @Pattern(regexp = "[^\\s/?#@]+", message = "must be a host name or address") String host,
                              @NotNull @Min(1) @Max(65535) Integer port,
                              @Size(max = 63) String user,
                              @Size(max = 1000) String password,
                              @Size(max = 63) String dbname) {

        /** Without the password, so a log line or an error message cannot show it. */
        @Override
        public String toString() {
            return "ClusterForm[name=" + name + ", host=" + host + ", port=" + port + ", user=" + user + ", dbname=" + dbname + "]";
        }
    }

    public record MigrationForm(@NotNull @Pattern(regexp = NEW_ID, message = "must be letters, digits, '_', '.', '-' (at most 63), starting with a letter or digit") String id,
                                @NotBlank @Size(max = 200) String name,
                                @NotNull @Pattern(regexp = ID, message = ID_MESSAGE) String sourceClusterId,
                                @NotNull @Pattern(regexp = ID, message = ID_MESSAGE) String sourceNodeId,
                                @NotNull @Pattern(regexp = ID, message = ID_MESSAGE) String destClusterId,
                                @Pattern(regexp = ID, message = ID_MESSAGE) String destNodeId,
                                @Pattern(regexp = "clone_only|clone_and_follow|clone_follow_switchover", message = "must be a migration mode") String mode,
                                Boolean fallback,
                                @Min(1) @Max(64) Integer copyWorkers) {
    }

    /**
     * {@code keepSlot}: a following migration's slot and publication stay on the source (else they are dropped). Objects, not
     * {@code boolean}s: the JSON reader would refuse a missing primitive before it names a key it does not know
     * ({@code keep_slot}); a missing one is refused by validation instead.
     */
    public record StopForm(@NotNull(message = "must be true or false") Boolean keepSlot) {
    }

    public record DeleteForm(@NotNull(message = "must be true or false") Boolean force,
                             @NotNull(message = "must be true or false") Boolean keepSlot) {
    }

    /** {@code timeoutSec}: how long the source may be without writes (null: the service's default). */
    public record SwitchoverForm(@Min(1) @Max(3600) Integer timeoutSec) {
    }

    @GetMapping("/clusters")
    public JsonNode clusters(@PathVariable String service) {
        return migrations.clusters(migrationService(service));
    }

    @PostMapping(value = "/clusters", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode createCluster(@PathVariable String service, @Valid @RequestBody ClusterForm form) {
        return migrations.createCluster(migrationService(service), form.name().strip(), new MigrationActions.Node(
                form.nodeName() == null ? null : form.nodeName().strip(), form.host().strip(), form.port(), form.user(), form.password(),
                form.dbname()));
    }

    @PostMapping(value = "/clusters/{cluster}/delete", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode deleteCluster(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String cluster,
                                 @RequestBody(required = false) ActionController.NoKeys body) {
        return migrations.deleteCluster(migrationService(service), cluster);
    }

    @GetMapping("/clusters/{cluster}/test-connection")
    public JsonNode testNode(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String cluster,
                             @RequestParam(required = false) @Pattern(regexp = ID, message = ID_MESSAGE) String node) {
        return migrations.testNode(migrationService(service), cluster, node);
    }

    @GetMapping("/clusters/{cluster}/introspect")
    public JsonNode introspect(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String cluster,
                               @RequestParam(required = false) @Pattern(regexp = ID, message = ID_MESSAGE) String node) {
        return migrations.introspect(migrationService(service), cluster, node);
    }

    @PostMapping(value = "/migrations", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode createMigration(@PathVariable String service, @Valid @RequestBody MigrationForm form) {
        return migrations.createMigration(migrationService(service), new MigrationActions.NewMigration(form.id(), form.name().strip(),
                form.sourceClusterId(), form.sourceNodeId(), form.destClusterId(), form.destNodeId(),
                form.mode() == null ? "clone_only" : form.mode(), Boolean.TRUE.equals(form.fallback()), form.copyWorkers()));
    }

    @GetMapping("/migrations/{migration}")
    public JsonNode migration(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration) {
        return migrations.migration(migrationService(service), migration);
    }

    @PostMapping(value = "/migrations/{migration}/start", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode start(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration,
                         @RequestBody(required = false) ActionController.NoKeys body) {
        return migrations.start(migrationService(service), migration);
    }

    @PostMapping(value = "/migrations/{migration}/stop", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode stop(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration,
                         @Valid @RequestBody StopForm form) {
        return migrations.stop(migrationService(service), migration, form.keepSlot());
    }

    @PostMapping(value = "/migrations/{migration}/switchover", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode switchover(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration,
                               @Valid @RequestBody SwitchoverForm form) {
        return migrations.switchover(migrationService(service), migration, form.timeoutSec());
    }

    @PostMapping(value = "/migrations/{migration}/delete", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode delete(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration,
                           @Valid @RequestBody DeleteForm form) {
        return migrations.deleteMigration(migrationService(service), migration, form.force(), form.keepSlot());
    }

    @GetMapping("/migrations/{migration}/logs")
    public JsonNode logs(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration) {
        return migrations.logs(migrationService(service), migration);
    }

    @PostMapping(value = "/migrations/{migration}/compare", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode compare(@PathVariable String service, @PathVariable @Pattern(regexp = ID, message = ID_MESSAGE) String migration,
                           @RequestBody(required = false) ActionController.NoKeys body) {
        return migrations.compare(migrationService(service), migration);
    }

    private UiProperties.Service migrationService(String name) {
        return client.service(name, "migration");
    }
}
