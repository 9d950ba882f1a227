package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.median;
import static dev.pgcorral.bench.Reports.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One way of cloning over the rounds of a clone benchmark: its wall time and other figures (parts, CPU
 * seconds) per round, whether every copy compared equal, and how it stands in the JSON (medians).
 */
final class CloneWay {

    private static final int DIFFERENCES_SHOWN = 20;

    private final String name;
    private final List<Double> wall = new ArrayList<>();
    private final Map<String, List<Double>> figures = new LinkedHashMap<>();
    private final Map<String, Object> notes = new LinkedHashMap<>();
    private final List<String> differences = new ArrayList<>();
    private Map<String, Object> compared;
    private String error;

    CloneWay(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** A failed way is not run again in later rounds, and has no time to compare. */
    boolean failed() {
        return error != null || !differences.isEmpty();
    }

    /** A round's wall seconds and other figures (seconds), by name. */
    void add(double seconds, Map<String, Double> more) {
        wall.add(seconds);
        more.forEach((figure, value) -> figures.computeIfAbsent(figure, k -> new ArrayList<>()).add(value));
    }

    /** Something said about the way in the JSON as it is, e.g. how it is measured. */
    void note(String key, Object value) {
        notes.put(key, value);
    }

    void fail(String message) {
        error = message;
    }

    /** What a round's comparison found: the copy's counts and its differences from the source (none: equal). */
    void compared(int round, Map<String, Object> counts, List<String> found) {
        compared = counts;
        found.forEach(d -> differences.add("round " + round + ": " + d));
    }

    /** Median wall seconds; NaN when it failed or never ran. */
    double medianSeconds() {
        return failed() ? Double.NaN : median(wall);
    }

    Map<String, Object> json(double sourceMb) {
        Map<String, Object> json = new LinkedHashMap<>();
        double seconds = median(wall);
        json.put("wall_s", round(seconds));
        json.put("mb_per_s", round(sourceMb / seconds));
        json.put("rounds_wall_s", wall.stream().map(Reports::round).toList());
        figures.forEach((figure, values) -> json.put(figure, round(median(values))));
        json.put("compare_equal", !failed());
        json.put("compared", compared);
        if (!differences.isEmpty()) {
            json.put("differences", new ArrayList<>(differences.subList(0, Math.min(DIFFERENCES_SHOWN, differences.size()))));
        }
        if (error != null) {
            json.put("error", error);
        }
        json.putAll(notes);
        return json;
    }
}
