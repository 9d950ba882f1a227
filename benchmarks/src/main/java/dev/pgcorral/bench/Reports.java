package dev.pgcorral.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What every benchmark command shares: the JSON line on stdout, rounding, ratios, progress on stderr. */
final class Reports {

    private Reports() {
    }

    /** One JSON object: strings, numbers, booleans, nested maps and lists; NaN and infinities as null. */
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
            json.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else if (value == null || value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            json.append("null");
        } else {
            json.append(value);
        }
    }

    /** Two decimals. */
    static double round(double value) {
        return Math.round(value * 100.0) / 100.0;
    }

    /** {@code a / b} rounded; NaN when either is NaN or {@code b} is zero. */
    static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : round(a / b);
    }

    /** A progress line on stderr. */
    static void log(String format, Object... args) {
        System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
    }
}
