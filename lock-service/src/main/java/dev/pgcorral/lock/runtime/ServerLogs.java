package dev.pgcorral.lock.runtime;

import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reader is shown of a PostgreSQL server's log, whatever runtime keeps it: by default without
 * the routine lines a server writes on its own every few minutes ({@code checkpoint starting},
 * {@code checkpoint complete}), which would otherwise fill the tail of a quiet server's log.
 */
public final class ServerLogs {

    /** A line's severity as PostgreSQL writes it after the line prefix ({@code LOG:  }, {@code ERROR:  }) and its message. */
    private static final Pattern SEVERITY = Pattern.compile("\\b([A-Z]+[0-9]?):  (.*)");
    /** How far back the log is read to find {@code lines} lines that are not routine. */
    static final int MAX_SCANNED_LINES = 100_000;

    private ServerLogs() {
    }

    /**
     * The last {@code lines} lines of {@code instance}'s log; with {@code routine} false, the last
     * {@code lines} that are not routine checkpoint lines.
     */
    public static String tail(PostgresInstance instance, int lines, boolean routine) {
        return tail(instance::logs, lines, routine);
    }

    /** As above, reading the log through {@code lastLines} (n → the last n lines, newline-separated). */
    static String tail(IntFunction<String> lastLines, int lines, boolean routine) {
        if (routine) {
            return lastLines.apply(lines);
        }
        int read = lines;
        while (true) {
            List<String> raw = lastLines.apply(read).lines().toList();
            List<String> kept = raw.stream().filter(line -> !isRoutine(line)).toList();
            if (kept.size() >= lines || raw.size() < read || read >= MAX_SCANNED_LINES) {
                return String.join("\n", kept.subList(Math.max(0, kept.size() - lines), kept.size()));
            }
            read = (int) Math.min(MAX_SCANNED_LINES, read * 4L);
        }
    }

    static boolean isRoutine(String line) {
        Matcher entry = SEVERITY.matcher(line);
        return entry.find() && entry.group(1).equals("LOG")
                && (entry.group(2).startsWith("checkpoint starting:") || entry.group(2).startsWith("checkpoint complete:"));
    }
}
