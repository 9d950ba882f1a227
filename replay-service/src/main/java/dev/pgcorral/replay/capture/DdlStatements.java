package dev.pgcorral.replay.capture;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

/**
 * Which statement of a query string a DDL event was for. The event trigger sees the whole string the
 * client sent ({@code current_query()}), which may hold several statements ({@code psql -c "UPDATE …;
 * ALTER TABLE …"}), and numbers the events of one string in one transaction. The n-th event belongs to
 * the n-th statement that can fire one: statements that cannot (DML, transaction control, SET, …) are
 * captured by other means or not at all, and must not be run twice. The string is split by pgjdbc's own
 * parser (quotes, dollar quotes and comments respected).
 */
final class DdlStatements {

    /** First keywords of statements that fire no {@code ddl_command_end}. */
    private static final Set<String> NOT_DDL = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "TABLE", "COPY",
            "MERGE", "EXPLAIN", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "SET", "RESET", "SHOW",
            "LOCK", "TRUNCATE", "ANALYZE", "ANALYSE", "VACUUM", "CHECKPOINT", "CALL", "NOTIFY", "LISTEN", "UNLISTEN", "DISCARD",
            "PREPARE", "EXECUTE", "DEALLOCATE", "FETCH", "MOVE", "CLOSE", "DECLARE", "LOAD", "CLUSTER", "REINDEX");

    private DdlStatements() {
    }

    /**
     * The statement the {@code n}-th DDL event of {@code query} was for; null when there is nothing to record
     * (a later event of a single statement, such as a DO block running several commands: the statement
     * itself was recorded with the first).
     */
    static String pick(String query, int n) {
        List<String> statements = split(query);
        if (statements.size() <= 1) {
            return n <= 1 ? query.strip() : null;
        }
        List<String> ddl = new ArrayList<>();
        for (String statement : statements) {
            if (!NOT_DDL.contains(firstWord(statement))) {
                ddl.add(statement);
            }
        }
        return n >= 1 && n <= ddl.size() ? ddl.get(n - 1) : null;
    }

    private static List<String> split(String query) {
        try {
            List<String> statements = new ArrayList<>();
            for (NativeQuery q : Parser.parseJdbcSql(query, true, false, true, false, false)) {
                if (!q.nativeSql.isBlank()) {
                    statements.add(q.nativeSql.strip());
                }
            }
            return statements;
        } catch (SQLException e) {
            return List.of(query);
        }
    }

    private static String firstWord(String statement) {
        String s = statement;
        while (true) {
            s = s.stripLeading();
            if (s.startsWith("--")) {
                int eol = s.indexOf('\n');
                s = eol < 0 ? "" : s.substring(eol + 1);
            } else if (s.startsWith("/*")) {
                int end = s.indexOf("*/");
                s = end < 0 ? "" : s.substring(end + 2);
            } else if (s.startsWith("(")) {
                s = s.substring(1);
            } else {
                break;
            }
        }
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        return s.substring(0, end).toUpperCase(Locale.ROOT);
    }
}
