package dev.pgcorral.common.logical.values;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads PostgreSQL's array output text ({@code array_out}): {@code {1,NULL,"a \"b\""}}, nested braces for
 * more dimensions. Elements come out as their text (escapes undone) or null for an unquoted {@code NULL};
 * a quoted {@code "NULL"} is the string. All types handled here use a comma as delimiter.
 */
final class PgArrays {

    /** Receives an array's structure in order. */
    interface Visitor {
        void start();

        void end();

        /** @param text the element's text, null for SQL NULL */
        void element(String text);
    }

    private PgArrays() {
    }

    /**
     * Whether the text carries explicit bounds ({@code [0:1]={1,2}}), which array_out writes when a lower bound
     * is not 1. Such arrays are kept as text: a list would lose the bounds.
     */
    static boolean hasBounds(String text) {
        return !text.isEmpty() && text.charAt(0) == '[';
    }

    /** The array as nested lists, each element converted by {@code element} (which sees null for NULL). */
    static List<Object> toList(String text, Function<String, Object> element) {
        ListBuilder builder = new ListBuilder(element);
        parse(text, builder);
        return builder.result;
    }

    static void parse(String s, Visitor v) {
        int n = s.length();
        if (n < 2 || s.charAt(0) != '{') {
            throw malformed(s, "an array starts with {");
        }
        int depth = 0;
        int i = 0;
        // at the top of the loop i is where a value (element or sub-array) or a closing brace may stand
        while (true) {
            if (i >= n) {
                throw malformed(s, "unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                v.start();
                depth++;
                i++;
                continue;
            }
            if (c == '}') {
                // only an empty array closes where a value may stand
                if (s.charAt(i - 1) != '{') {
                    throw malformed(s, "a value is missing before }");
                }
            } else if (c == '"') {
                i = quoted(s, i, v);
            } else {
                int end = i;
                while (end < n && (c = s.charAt(end)) != ',' && c != '}') {
                    if (c == '{' || c == '"') {
                        throw malformed(s, "unexpected " + c);
                    }
                    end++;
                }
                if (end == i) {
                    throw malformed(s, "an empty unquoted element");
                }
                v.element(end - i == 4 && s.regionMatches(true, i, "NULL", 0, 4) ? null : s.substring(i, end));
                i = end;
            }
            // after a value: any number of closing braces, then a comma or the end
            while (i < n && s.charAt(i) == '}') {
                v.end();
                depth--;
                i++;
                if (depth == 0) {
                    if (i != n) {
                        throw malformed(s, "text after the closing }");
                    }
                    return;
                }
            }
            if (i >= n || s.charAt(i) != ',') {
                throw malformed(s, "expected , or }");
            }
            i++;
        }
    }

    private static int quoted(String s, int open, Visitor v) {
        int n = s.length();
        int j = open + 1;
        int runStart = j;
        StringBuilder unescaped = null;
        while (true) {
            if (j >= n) {
                throw malformed(s, "an unterminated quoted element");
            }
            char c = s.charAt(j);
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                if (unescaped == null) {
                    unescaped = new StringBuilder(j - runStart + 16);
                }
                unescaped.append(s, runStart, j);
                j++;
                if (j >= n) {
                    throw malformed(s, "a lone \\ at the end");
                }
                runStart = j;
            }
            j++;
        }
        v.element(unescaped == null ? s.substring(runStart, j) : unescaped.append(s, runStart, j).toString());
        return j + 1;
    }

    private static IllegalArgumentException malformed(String s, String why) {
        String shown = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return new IllegalArgumentException("not an array literal (" + why + "): " + shown);
    }

    private static final class ListBuilder implements Visitor {
        private final Function<String, Object> convert;
        private final ArrayList<List<Object>> stack = new ArrayList<>();
        private List<Object> result;

        ListBuilder(Function<String, Object> convert) {
            this.convert = convert;
        }

        @Override
        public void start() {
            List<Object> list = new ArrayList<>();
            if (stack.isEmpty()) {
                result = list;
            } else {
                stack.get(stack.size() - 1).add(list);
            }
            stack.add(list);
        }

        @Override
        public void end() {
            stack.remove(stack.size() - 1);
        }

        @Override
        public void element(String text) {
            stack.get(stack.size() - 1).add(convert.apply(text));
        }
    }
}
