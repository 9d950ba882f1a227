package dev.pgcorral.common.logical.values;

import static dev.pgcorral.common.logical.values.PgTypes.*;

import java.math.BigDecimal;
import java.util.List;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The one conversion of PostgreSQL column values, as {@code pgoutput} sends them (the type's text output under
 * {@code DateStyle=ISO, MDY}, {@code IntervalStyle=iso_8601}, {@code bytea_output=hex},
 * {@code extra_float_digits=3}, any {@code TimeZone}), to Java values and to JSON, and of that JSON back to
 * PostgreSQL input text. Stateless and thread-safe.
 *
 * <p>JSON forms (the same from {@link #toJson} and {@link #writeJson}):
 * <ul>
 * <li>SQL NULL → {@code null}</li>
 * <li>int2, int4, int8, oid, numeric → exact JSON numbers; float4, float8 → JSON numbers in PostgreSQL's
 *     shortest exact text; {@code NaN}, {@code Infinity}, {@code -Infinity} (float and numeric) and the float
 *     {@code -0} → JSON strings of that text (JSON has no NaN, and JSON readers drop the sign of zero)</li>
 * <li>bool → {@code true}/{@code false}</li>
 * <li>text, varchar, bpchar (padding kept), name, "char", uuid → strings; bytea → its hex input form
 *     {@code "\\x00ff"}</li>
 * <li>date, time, timetz, timestamp, interval → PostgreSQL's own text ({@code "0044-03-15 BC"},
 *     {@code "24:00:00"}, {@code "12:00:00+05:45"}, {@code "infinity"}, {@code "P1Y-2DT-0.5S"}), which it reads
 *     back in any session</li>
 * <li>timestamptz → the text PostgreSQL writes under {@code TimeZone=UTC}: {@code "2024-01-31 12:00:00.5+00"},
 *     {@code "0044-03-15 06:18:44+00 BC"}, {@code "infinity"}, {@code "-infinity"}</li>
 * <li>json, jsonb → the JSON value itself (the streaming form copies PostgreSQL's text verbatim, so json keeps
 *     its whitespace there; the tree form is parsed)</li>
 * <li>arrays → JSON arrays, nested per dimension, elements in their type's form; arrays with explicit bounds
 *     ({@code [0:1]={1,2}}), and json[]/jsonb[] arrays that are multi-dimensional or hold JSON arrays (where a
 *     nested JSON array could be a dimension or an element), → their PostgreSQL text as a string</li>
 * <li>any other type (enums and their arrays, domains, money, inet, point, …) → its text as a string</li>
 * </ul>
 * A json/jsonb value {@code null} has the same JSON form as SQL NULL; {@link #toJava} tells them apart
 * ({@code NullNode} vs {@code null}), the JSON form cannot: a caller that must keep them apart records SQL
 * NULLs beside the value.
 *
 * <p>The way back is {@link #toSqlLiteral}: JSON form → text for {@code ?::type}, arrays included. Read stored
 * JSON with {@link PgJson#mapper()}, which keeps numbers exact; a default mapper would round decimals to doubles.
 */
public final class PgValues {

    private PgValues() {
    }

    /**
     * The Java value of a column's text: int2 → Short, int4 → Integer, int8 and oid → Long; numeric →
     * BigDecimal ({@code NaN}, {@code Infinity}, {@code -Infinity} → the Double of that name); float4 → Float,
     * float8 → Double; bool → Boolean; text, varchar, bpchar, name, "char" → String; bytea → byte[]; uuid → UUID;
     * date → LocalDate (±infinity → {@code LocalDate.MAX/MIN}); time → LocalTime ({@code 24:00:00} →
     * {@code LocalTime.MAX}); timetz → OffsetTime; timestamp → LocalDateTime (±infinity →
     * {@code LocalDateTime.MAX/MIN}); timestamptz → OffsetDateTime at UTC (±infinity →
     * {@code OffsetDateTime.MAX/MIN}); interval → {@link PgInterval}; json, jsonb → JsonNode; arrays of these →
     * List (nested for more dimensions; null for NULL elements), but arrays with explicit bounds → their text,
     * since a list would lose the bounds; any other type → its text. BC years are ISO years ({@code 1 BC} is 0).
     *
     * @param text the value's text, null for SQL NULL (→ null)
     * @throws IllegalArgumentException when the text is not the output of that type
     */
    public static Object toJava(int typeOid, String text) {
        if (text == null) {
            return null;
        }
        return switch (typeOid) {
            case INT2 -> Short.valueOf(Short.parseShort(text));
            case INT4 -> Integer.valueOf(Integer.parseInt(text));
            case INT8, OID -> Long.valueOf(Long.parseLong(text));
            case NUMERIC -> numeric(text);
            case FLOAT4 -> Float.valueOf(Float.parseFloat(text));
            case FLOAT8 -> Double.valueOf(Double.parseDouble(text));
            case BOOL -> bool(text);
            case BYTEA -> PgBytea.decode(text);
            case UUID -> java.util.UUID.fromString(text);
            case DATE -> PgTemporal.date(text);
            case TIME -> PgTemporal.time(text);
            case TIMETZ -> PgTemporal.timetz(text);
            case TIMESTAMP -> PgTemporal.timestamp(text);
            case TIMESTAMPTZ -> PgTemporal.timestamptz(text);
            case INTERVAL -> PgInterval.parseIso(text);
            case JSON, JSONB -> PgJson.parse(text);
            default -> {
                int element = arrayElement(typeOid);
                yield element == 0 || PgArrays.hasBounds(text) ? text
                        : PgArrays.toList(text, elementText -> toJava(element, elementText));
            }
        };
    }

    /** The JSON form (see the class) as a tree; SQL NULL → {@code NullNode}. */
    public static JsonNode toJson(int typeOid, String text) {
        JsonOut.ToTree tree = new JsonOut.ToTree();
        emit(tree, typeOid, text);
        return tree.result();
    }

    /**
     * Writes the JSON form (see the class) as the generator's next value, without building a tree. json and jsonb
     * are copied as raw text, so the generator must write JSON (not a binary format).
     */
    public static void writeJson(JsonGenerator g, int typeOid, String text) {
        emit(new JsonOut.ToGenerator(g), typeOid, text);
    }

    /**
     * PostgreSQL input text, for {@code ?::type} with the type's name, of a value in its JSON form (as
     * {@link #toJson} makes it, or read back with {@link PgJson#mapper()}); null (SQL NULL) for JSON null or a
     * missing node. Strings are taken as the value's text, numbers and booleans by their JSON text, json/jsonb
     * values are written as JSON; a JSON array for an array type becomes an array literal with every element
     * quoted (so a string {@code "NULL"} stays a string) and JSON null elements as {@code NULL}.
     *
     * @throws IllegalArgumentException when the node cannot be a value of that type (say, an object for int4)
     */
    public static String toSqlLiteral(int typeOid, JsonNode json) {
        return PgLiterals.literal(typeOid, json);
    }

    static void emit(JsonOut out, int typeOid, String text) {
        if (text == null) {
            out.nullValue();
            return;
        }
        switch (typeOid) {
            case INT2, INT4, INT8, OID -> out.integer(Long.parseLong(text));
            case NUMERIC -> {
                if (isSpecial(text)) {
                    out.string(text);
                } else {
                    out.decimal(checkedNumber(text, false));
                }
            }
            case FLOAT4, FLOAT8 -> {
                if (isSpecial(text) || text.equals("-0")) {
                    out.string(text);
                } else {
                    out.floating(checkedNumber(text, true), typeOid == FLOAT4);
                }
            }
            case BOOL -> out.bool(bool(text));
            case BYTEA -> out.string(PgBytea.checkedHex(text));
            case TIMESTAMPTZ -> out.string(PgTemporal.timestamptzUtcText(text));
            case JSON, JSONB -> out.json(text);
            default -> {
                int element = arrayElement(typeOid);
                if (element == 0 || PgArrays.hasBounds(text)) {
                    out.string(text);
                } else if (element == JSON || element == JSONB) {
                    jsonArray(out, element, text);
                } else {
                    PgArrays.parse(text, new PgArrays.Visitor() {
                        @Override
                        public void start() {
                            out.startArray();
                        }

                        @Override
                        public void end() {
                            out.endArray();
                        }

                        @Override
                        public void element(String elementText) {
                            emit(out, element, elementText);
                        }
                    });
                }
            }
        }
    }

    /** A one-dimensional json[]/jsonb[] without JSON arrays in it as a JSON array, any other as its text. */
    private static void jsonArray(JsonOut out, int element, String text) {
        if (text.startsWith("{{")) {
            out.string(text);
            return;
        }
        List<Object> elements = PgArrays.toList(text, elementText -> elementText);
        for (Object e : elements) {
            if (e != null && ((String) e).strip().startsWith("[")) {
                out.string(text);
                return;
            }
        }
        out.startArray();
        for (Object e : elements) {
            emit(out, element, (String) e);
        }
        out.endArray();
    }

    private static Object numeric(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(text);
        };
    }

    /** {@code NaN}, {@code Infinity} or {@code -Infinity}, as PostgreSQL writes them; the length picks the one to compare. */
    private static boolean isSpecial(String text) {
        return switch (text.length()) {
            case 3 -> text.equals("NaN");
            case 8 -> text.equals("Infinity");
            case 9 -> text.equals("-Infinity");
            default -> false;
        };
    }

    /**
     * The text unchanged if it is a JSON number ({@code -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?}, the exponent only
     * when allowed), which PostgreSQL's numeric and float output always is; it is written raw into JSON, so
     * nothing else may pass. A hand-written scan: this runs for every number.
     */
    static String checkedNumber(String text, boolean exponent) {
        int n = text.length();
        int i = 0;
        if (i < n && text.charAt(i) == '-') {
            i++;
        }
        int digits = digits(text, i);
        if (digits == 0 || digits > 1 && text.charAt(i) == '0') {
            throw notANumber(text);
        }
        i += digits;
        if (i < n && text.charAt(i) == '.') {
            digits = digits(text, ++i);
            if (digits == 0) {
                throw notANumber(text);
            }
            i += digits;
        }
        if (exponent && i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            digits = digits(text, i);
            if (digits == 0) {
                throw notANumber(text);
            }
            i += digits;
        }
        if (i != n) {
            throw notANumber(text);
        }
        return text;
    }

    private static int digits(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i - from;
    }

    private static IllegalArgumentException notANumber(String text) {
        return new IllegalArgumentException("not a PostgreSQL number: " + text);
    }

    private static Boolean bool(String text) {
        if (text.equals("t")) {
            return Boolean.TRUE;
        }
        if (text.equals("f")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("not a PostgreSQL bool: " + text);
    }
}
