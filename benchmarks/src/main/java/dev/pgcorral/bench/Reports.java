package dev.pgcorral.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What every benchmark command shares: its options, the JSON line on stdout, rounding, ratios, medians,
 * progress on stderr, removing its temp files.
 */
final class Reports {

    private Reports() {
    }

    /**
     * One JSON object on one line: strings (control characters escaped), numbers, booleans, nested maps and lists;
     * NaN and infinities as null.
     */
    static String toJson(Map<String, ?> map) {
        StringBuilder json = new StringBuilder();
        append(json, map);
        return json.toString();
    }

    private static void append(StringBuilder json, Object value) {
        if (value instanceof Map<?, ?> map) {
            json.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                json.append(first ? "" : ",");
                first = false;
                append(json, String.valueOf(entry.getKey()));
                json.append(':');
                append(json, entry.getValue());
            }
            json.append('}');
        } else if (value instanceof List<?> list) {
            json.append('[');
            for (int i = 0; i < list.size(); i++) {
                json.append(i == 0 ? "" : ",");
                append(json, list.get(i));
            }
            json.append(']');
        } else if (value instanceof String s) {
            json.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"', '\\' -> json.append('\\').append(c);
                    case '\n' -> json.append("\\n");
                    case '\t' -> json.append("\\t");
                    default -> json.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            json.append('"');
        } else if (value == null || value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            json.append("null");
        } else {
            json.append(value);
        }
    }

    /** Two decimals; NaN and infinities as they are. */
    static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 100.0) / 100.0 : value;
    }

    /** {@code a / b} rounded; NaN when either is NaN or {@code b} is zero. */
    static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : round(a / b);
    }

    /** The median; NaN for none. */
    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    /** The {@code p}th percentile (0 to 100) by linear interpolation between the closest ranks; NaN for none. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double rank = p / 100 * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
    }

    /** {@code --name value} pairs, in order; anything else is refused with {@code usage}. */
    static Map<String, String> options(String[] argv, String usage) {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("unexpected argument " + argv[i] + "; use " + usage);
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        return args;
    }

    /** The whole number given as {@code --name}, at least {@code min}; {@code fallback} when it is not given. */
    static int number(Map<String, String> args, String name, int fallback, int min) {
        int value = Integer.parseInt(args.getOrDefault(name, Integer.toString(fallback)));
        if (value < min) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    /** The ways given as {@code --ways a,b} (each once, in that order), some of {@code all}; all of them when it is not given. */
    static List<String> ways(Map<String, String> args, List<String> all) {
        List<String> ways = Arrays.stream(args.getOrDefault("ways", String.join(",", all)).split(",")).map(String::strip).distinct().toList();
        if (ways.isEmpty() || !all.containsAll(ways)) {
            throw new IllegalArgumentException("--ways takes some of " + String.join(",", all) + ", was " + args.get("ways"));
        }
        return ways;
    }

    /** Deletes {@code dir} and all in it; a failure is logged. */
    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log("cannot delete %s: %s", dir, e.getMessage());
        }
    }

    /**
     * Runs a benchmark and prints its JSON line. {@code cleanUp} runs once: at the end, or from a shutdown
     * hook when the JVM is stopped before (Ctrl-C, SIGTERM); then nothing is printed.
     */
    static void runAndPrint(Callable<Map<String, Object>> run, Runnable cleanUp) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        Runnable once = () -> {
            if (done.compareAndSet(false, true)) {
                cleanUp.run();
            }
        };
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            once.run();
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, Object> result;
        try {
            result = run.call();
        } catch (Exception e) {
            if (interrupted.get()) {
                log("interrupted");
                return; // the JVM is shutting down; the hook cleans up
            }
            throw e;
        } finally {
            if (!interrupted.get()) {
                once.run();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran already
            }
        }
        System.out.println(toJson(result));
    }

    /**
     * {@link #runAndPrint}; then, when {@code failed} says so, {@code failure} on stderr and exit status 1 (after
     * the JSON line).
     */
    static void runAndPrint(Callable<Map<String, Object>> run, Runnable cleanUp, BooleanSupplier failed, String failure) throws Exception {
        runAndPrint(run, cleanUp);
        if (failed.getAsBoolean()) {
            log("FAILED: %s", failure);
            System.exit(1);
        }
    }

    /** A progress line on stderr. */
    static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
