package dev.pgcorral.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of the switchover benchmark: both write downtimes (the service's own and the one the application's
 * writer saw), what the check of the rows found, and how it stands in the JSON.
 */
final class SwitchoverRound {

    private final int number;
    private final Map<String, Object> notes = new LinkedHashMap<>();
    private final List<String> differences = new ArrayList<>();
    private Downtimes downtimes;
    private double tps = Double.NaN;
    private boolean checked;

    /**
     * A switchover's write downtimes in milliseconds: the service's own {@code switchover_downtime_ms} and the
     * application writer's (NaN when missing).
     */
    record Downtimes(double serviceMillis, double appMillis) {
    }

    SwitchoverRound(int number) {
        this.number = number;
    }

    int number() {
        return number;
    }

    /** Records why it failed (the first reason is kept). */
    void fail(String message) {
        notes.putIfAbsent("error", message);
    }

    boolean failed() {
        return notes.containsKey("error");
    }

    /** It switched over, with these downtimes. */
    void switchedOver(Downtimes measured) {
        downtimes = measured;
    }

    /** Null when it did not switch over. */
    Downtimes downtimes() {
        return downtimes;
    }

    /** pgbench's tps in the round, from its start until the switchover ended its sessions. */
    void tps(double value) {
        tps = value;
    }

    double tps() {
        return tps;
    }

    /** What the check of the destination against the (read-only) source found; none: every row arrived. */
    void checked(List<String> found) {
        checked = true;
        differences.addAll(found);
    }

    boolean checked() {
        return checked;
    }

    boolean rowsArrived() {
        return checked && differences.isEmpty();
    }

    /** Something said about the round in the JSON as it is. */
    void note(String key, Object value) {
        notes.put(key, value);
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("round", number);
        json.put("switched_over", downtimes != null);
        json.put("service_downtime_ms", downtimes == null ? null : whole(downtimes.serviceMillis()));
        json.put("app_downtime_ms", downtimes == null ? null : whole(downtimes.appMillis()));
        json.put("tps", Reports.round(tps));
        json.put("rows_arrived", checked ? (Object) differences.isEmpty() : null);
        json.put("differences", List.copyOf(differences));
        json.putAll(notes);
        return json;
    }

    private static Long whole(double millis) {
        return Double.isFinite(millis) ? Math.round(millis) : null;
    }
}
