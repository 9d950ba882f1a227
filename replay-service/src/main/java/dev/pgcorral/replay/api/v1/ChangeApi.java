package dev.pgcorral.replay.api.v1;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.validation.constraints.Min;

import org.hibernate.validator.constraints.Range;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.replay.api.Ids;
import dev.pgcorral.replay.capture.Change;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.capture.ChangeQuery;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.Sessions;
import tools.jackson.databind.JsonNode;

/** A session's change log, {@code /api/v1/sessions/{id}/changes}: pages of entries, filtered. */
@RestController
public class ChangeApi {

    static final int MAX_SIZE = 1000;
    private static final Set<String> OPERATIONS = Set.of("INSERT", "UPDATE", "DELETE", "TRUNCATE", "DDL");

    /**
     * One entry of the log.
     *
     * @param seq       its index in the log, from 1
     * @param columns   the table's columns as they were then; empty for DDL
     * @param data      column → typed value; null for DELETE, TRUNCATE and DDL
     * @param oldData   the old key ({@code oldKind} KEY) or row (FULL), as the table's replica identity sends them
     * @param statement the DDL statement, or the TRUNCATE as SQL
     */
    public record ChangeView(long seq, long xid, String commitLsn, Instant commitTime, String lsn, String operation, String schema,
                             String table, List<Column> columns, JsonNode data, JsonNode oldData, String oldKind, String statement) {

        /** @param key part of the replica identity */
        public record Column(String name, String type, boolean key) {
        }

        static ChangeView of(Change c) {
            return new ChangeView(c.seq(), c.xid(), c.commitLsn().toString(), c.commitTime(), c.lsn().toString(), c.operation(), c.schema(),
                    c.table(), c.columns().stream().map(col -> new Column(col.name(), col.type(), col.key())).toList(), c.data(),
                    c.oldData(), c.oldKind(), c.statement());
        }
    }

    /** @param total entries matching the filters */
    public record ChangePage(List<ChangeView> items, int page, int size, long total) {
    }

    private final Sessions sessions;
    private final ChangeLog changeLog;

    public ChangeApi(Sessions sessions, ChangeLog changeLog) {
        this.sessions = sessions;
        this.changeLog = changeLog;
    }

    /**
     * @param table   {@code table} or {@code schema.table}
     * @param fromLsn entries whose transaction committed at or after this position
     * @param toLsn   entries whose transaction committed at or before this position
     */
    @GetMapping("/api/v1/sessions/{id}/changes")
    public ChangePage changes(@PathVariable String id, @RequestParam(defaultValue = "newest") String order,
                              @RequestParam(defaultValue = "0") @Min(0) int page,
                              @RequestParam(defaultValue = "50") @Range(min = 1, max = MAX_SIZE) int size,
                              @RequestParam(required = false) String table, @RequestParam(required = false) String operation,
                              @RequestParam(required = false) Long xid, @RequestParam(required = false) String fromLsn,
                              @RequestParam(required = false) String toLsn) {
        Session session = Ids.session(sessions, id, "id");
        ChangeQuery query = new ChangeQuery(newestFirst(order), table, operation(operation), xid, null, null, lsn(fromLsn, "fromLsn"),
                lsn(toLsn, "toLsn"), (long) page * size, size);
        List<ChangeView> items = changeLog.page(session.id(), query).stream().map(ChangeView::of).toList();
        return new ChangePage(items, page, size, changeLog.count(session.id(), query));
    }

    private static boolean newestFirst(String order) {
        return switch (order.strip().toLowerCase(Locale.ROOT)) {
            case "newest" -> true;
            case "oldest" -> false;
            default -> throw ApiException.badRequest("order must be newest or oldest (was '" + order + "')");
        };
    }

    private static String operation(String operation) {
        if (operation == null || operation.isBlank()) {
            return null;
        }
        String upper = operation.strip().toUpperCase(Locale.ROOT);
        if (!OPERATIONS.contains(upper)) {
            throw ApiException.badRequest("operation must be one of INSERT, UPDATE, DELETE, TRUNCATE, DDL (was '" + operation + "')");
        }
        return upper;
    }

    /** A position given as text, e.g. {@code 0/16B3748}; 400 naming {@code parameter} when it is not one. */
    static Lsn lsn(String text, String parameter) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Lsn.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(parameter + ": " + e.getMessage());
        }
    }
}
