package dev.pgcorral.replay.api.compat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.compat.CompatJson.EntriesJson;
import dev.pgcorral.replay.api.compat.CompatJson.NavigateRequest;
import dev.pgcorral.replay.api.compat.CompatJson.ReplayRequest;
import dev.pgcorral.replay.api.compat.CompatJson.ReplayedJson;
import dev.pgcorral.replay.api.compat.CompatJson.WalEntryJson;
import dev.pgcorral.replay.api.compat.CompatJson.WalLogsJson;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.capture.ChangeQuery;
import dev.pgcorral.replay.checkpoint.Checkpoint;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SessionStore;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.Restore;
import dev.pgcorral.replay.travel.Restorer;

/** postgres-test-replay's change log and replay: {@code /api/navigate}, {@code /api/replay}, {@code /api/wal-logs}. */
@RestController
class CompatTravelApi {

    static final int DEFAULT_LIMIT = 100;

    private final Sessions sessions;
    private final SessionStore sessionStore;
    private final ChangeLog changeLog;
    private final Restorer restorer;
    private final CompatLookup lookup;

    CompatTravelApi(Sessions sessions, SessionStore sessionStore, ChangeLog changeLog, Restorer restorer, CompatLookup lookup) {
        this.sessions = sessions;
        this.sessionStore = sessionStore;
        this.changeLog = changeLog;
        this.restorer = restorer;
        this.lookup = lookup;
    }

    /** The entries up to {@code checkpoint_id}, or those after {@code start_id} up to {@code end_id}. */
    @PostMapping("/api/navigate")
    EntriesJson navigate(@RequestBody NavigateRequest request) {
        Checkpoint start;
        Checkpoint end;
        if (!CompatLookup.blank(request.checkpointId())) {
            start = null;
            end = lookup.checkpoint(request.checkpointId(), request.sessionId(), "checkpoint_id");
        } else if (!CompatLookup.blank(request.startId()) && !CompatLookup.blank(request.endId())) {
            start = lookup.checkpoint(request.startId(), request.sessionId(), "start_id");
            end = lookup.checkpoint(request.endId(), request.sessionId(), "end_id");
            if (!start.sessionId().equals(end.sessionId())) {
                throw ApiException.badRequest("start_id and end_id are checkpoints of different sessions");
            }
        } else {
            throw ApiException.badRequest("Invalid request: provide checkpoint_id or both start_id and end_id");
        }
        long from = start == null ? 0 : CompatLookup.entryIndex(start);
        long to = CompatLookup.entryIndex(end);
        if (from > to) {
            throw ApiException.badRequest("start_id (entry " + from + ") comes after end_id (entry " + to + ")");
        }
        List<WalEntryJson> entries = changeLog.page(end.sessionId(), ChangeQuery.between(from, to)).stream().map(WalEntryJson::of).toList();
        return new EntriesJson(entries, entries.size());
    }

    /** Moves the session's target database to the checkpoint's state, forward or backward, and answers when it is there. */
    @PostMapping("/api/replay")
    ReplayedJson replay(@RequestBody ReplayRequest request) {
        Session session = lookup.session(request.sessionId());
        Checkpoint checkpoint = lookup.checkpoint(request.checkpointId(), session.id().toString(), "checkpoint_id");
        Restore restore = restorer.runNow(sessions.get(session.id()), CompatLookup.entryIndex(checkpoint), checkpoint);
        if (restore.state() != Restore.State.DONE) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Replay failed", restore.error());
        }
        return new ReplayedJson("success", restore.entriesApplied());
    }

    /** The active session's last {@code limit} entries (a missing, non-numeric or non-positive limit means 100), oldest first. */
    @GetMapping("/api/wal-logs")
    WalLogsJson walLogs(@RequestParam(required = false) String limit) {
        Optional<Session> active = sessionStore.active();
        if (active.isEmpty()) {
            return new WalLogsJson(List.of(), 0, 0);
        }
        List<WalEntryJson> entries = new ArrayList<>(changeLog.page(active.get().id(),
                new ChangeQuery(true, null, null, null, null, null, null, null, 0, limit(limit))).stream().map(WalEntryJson::of).toList());
        Collections.reverse(entries);
        return new WalLogsJson(entries, active.get().entries(), entries.size());
    }

    private static int limit(String text) {
        try {
            int limit = text == null ? DEFAULT_LIMIT : Integer.parseInt(text.strip());
            return limit > 0 ? limit : DEFAULT_LIMIT;
        } catch (NumberFormatException e) {
            return DEFAULT_LIMIT;
        }
    }
}
