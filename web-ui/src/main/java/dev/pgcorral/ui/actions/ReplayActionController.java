package dev.pgcorral.ui.actions;

import java.util.UUID;

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

/** The replay page's reads (GETs that change nothing) and buttons (JSON only, as {@link ActionController}'s) for one session. */
@RestController
@RequestMapping("/services/{service}/actions/sessions/{session}")
public class ReplayActionController {

    /** A checkpoint: its UUID, or a fixed one by kind. */
    static final String CHECKPOINT = "(?i)creation|migration|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final ServiceClient client;
    private final ReplayActions replay;

    public ReplayActionController(ServiceClient client, ReplayActions replay) {
        this.client = client;
        this.replay = replay;
    }

    public record CheckpointForm(@NotBlank @Size(max = 200) String name, @Size(max = 2000) String description) {
    }

    public record RestoreRef(@NotNull @Pattern(regexp = CHECKPOINT, message = "must be a checkpoint id") String checkpointId) {
    }

    public record CompareRef(@NotNull @Pattern(regexp = "source|" + CHECKPOINT, message = "must be 'source' or a checkpoint id")
                             String against) {
    }

    @GetMapping("/checkpoints")
    public JsonNode checkpoints(@PathVariable String service, @PathVariable UUID session) {
        return replay.checkpoints(replayService(service), session);
    }

    @PostMapping(value = "/checkpoints", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode createCheckpoint(@PathVariable String service, @PathVariable UUID session, @Valid @RequestBody CheckpointForm form) {
        return replay.createCheckpoint(replayService(service), session, form.name().strip(), form.description());
    }

    @GetMapping("/changes")
    public JsonNode changes(@PathVariable String service, @PathVariable UUID session,
                            @RequestParam(defaultValue = "newest") @Pattern(regexp = "newest|oldest") String order,
                            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000_000) int page,
                            @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
                            @RequestParam(required = false) @Size(max = 200) String table,
                            @RequestParam(required = false) @Pattern(regexp = "INSERT|UPDATE|DELETE|TRUNCATE|DDL|") String operation) {
        return replay.changes(replayService(service), session, new ReplayActions.ChangePage(order, page, size, table, operation));
    }

    @PostMapping(value = "/restores", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode startRestore(@PathVariable String service, @PathVariable UUID session, @Valid @RequestBody RestoreRef ref) {
        return replay.startRestore(replayService(service), session, ref.checkpointId());
    }

    @GetMapping("/restores/{restore}")
    public JsonNode restore(@PathVariable String service, @PathVariable UUID session, @PathVariable UUID restore) {
        return replay.restore(replayService(service), session, restore);
    }

    @PostMapping(value = "/compare", consumes = MediaType.APPLICATION_JSON_VALUE)
    public JsonNode compare(@PathVariable String service, @PathVariable UUID session, @Valid @RequestBody CompareRef ref) {
        return replay.compare(replayService(service), session, ref.against());
    }

    private UiProperties.Service replayService(String name) {
        return client.service(name, "replay");
    }
}
