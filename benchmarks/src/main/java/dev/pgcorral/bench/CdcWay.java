package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.percentile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * One way of following the source in a CDC benchmark, into a database of its own: the lag samples taken while
 * pgbench ran, its catch-up time after it, whether its copy compared equal, and how it stands in the JSON.
 */
final class CdcWay {

    private final String name;
    private final ConnectionDetails destination;
    private final List<Double> lagBytes = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> lagSeconds = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Object> notes = new LinkedHashMap<>();
    private final List<String> differences = new ArrayList<>();
    private volatile Connection connection;
    private final List<Double> catchUps = new ArrayList<>();
    private boolean compared;

    CdcWay(String name, ConnectionDetails destination) {
        this.name = name;
        this.destination = destination;
    }

    String name() {
        return name;
    }

    ConnectionDetails destination() {
        return destination;
    }

    /** The destination connection the sampler and the catch-up poll share (one at a time); opened on first use. */
    Connection connection() throws SQLException {
        if (connection == null) {
            connection = destination.connect();
        }
        return connection;
    }

    /** A failed way is not sampled any more and has no figures to compare. */
    boolean failed() {
        return notes.containsKey("error") || !differences.isEmpty();
    }

    /** Records why it failed (the first reason is kept). */
    void fail(String message) {
        notes.putIfAbsent("error", message);
    }

    /** One sample: WAL bytes and seconds the destination's newest heartbeat is behind the source. */
    void sample(long bytes, double seconds) {
        lagBytes.add((double) bytes);
        lagSeconds.add(seconds);
    }

    /** Forgets the samples and catch-ups so far (those of the warm-up). */
    void clearSamples() {
        lagBytes.clear();
        lagSeconds.clear();
        catchUps.clear();
    }

    /** One catch-up: seconds from the end of a load until its last heartbeat showed on the destination. */
    void caughtUp(double seconds) {
        catchUps.add(seconds);
    }

    /** The median catch-up; NaN when it failed or has none. */
    double catchUpSeconds() {
        return failed() ? Double.NaN : percentile(List.copyOf(catchUps), 50);
    }

    /**
     * The rounds both ways caught up in, compared one by one at the poll's resolution (the timings are to the
     * millisecond): how often {@code ours} was faster, as fast, slower, and each way's mean; empty when either failed.
     */
    static Map<String, Object> pairs(CdcWay ours, CdcWay other) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (ours.failed() || other.failed() || ours.catchUps.size() != other.catchUps.size()) {
            return json;
        }
        int faster = 0;
        int slower = 0;
        for (int i = 0; i < ours.catchUps.size(); i++) {
            long a = Math.round(ours.catchUps.get(i) * 1000);
            long b = Math.round(other.catchUps.get(i) * 1000);
            faster += a < b ? 1 : 0;
            slower += a > b ? 1 : 0;
        }
        json.put("rounds", ours.catchUps.size());
        json.put("ours_faster", faster);
        json.put("as_fast", ours.catchUps.size() - faster - slower);
        json.put("ours_slower", slower);
        Map<String, Object> means = new LinkedHashMap<>();
        means.put(ours.name, mean(ours.catchUps));
        means.put(other.name, mean(other.catchUps));
        json.put("mean_s", means);
        return json;
    }

    private static double mean(List<Double> values) {
        return thousandths(values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
    }

    /** The 99th percentile of the seconds' samples; NaN when it failed or has none. */
    double p99LagSeconds() {
        return failed() ? Double.NaN : percentile(List.copyOf(lagSeconds), 99);
    }

    /** What the comparison with the source found (none: equal). */
    void compared(List<String> found) {
        compared = true;
        differences.addAll(found);
    }

    /** Something said about the way in the JSON as it is, e.g. how it was set up. */
    void note(String key, Object value) {
        notes.put(key, value);
    }

    void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            Reports.log("%s: closing its connection: %s", name, e.getMessage());
        }
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("samples", lagSeconds.size());
        json.put("lag_bytes", summary(List.copyOf(lagBytes), 1));
        json.put("lag_seconds", summary(List.copyOf(lagSeconds), 1000));
        json.put("catch_up_s", thousandths(catchUpSeconds()));
        json.put("catch_ups_s", catchUps.stream().map(CdcWay::thousandths).toList());
        json.put("equal", compared && !failed());
        json.put("differences", List.copyOf(differences));
        json.putAll(notes);
        return json;
    }

    /** p50, p95, p99 and max, rounded to {@code 1 / scale} (whole numbers for 1). */
    private static Map<String, Object> summary(List<Double> values, double scale) {
        Map<String, Object> json = new LinkedHashMap<>();
        for (int p : new int[] {50, 95, 99, 100}) {
            double value = percentile(values, p);
            Object rounded = !Double.isFinite(value) ? null : scale == 1 ? (Object) Math.round(value) : Math.round(value * scale) / scale;
            json.put(p == 100 ? "max" : "p" + p, rounded);
        }
        return json;
    }

    /** Seconds to the millisecond. */
    static double thousandths(double seconds) {
        return Double.isFinite(seconds) ? Math.round(seconds * 1000) / 1000.0 : seconds;
    }
}
