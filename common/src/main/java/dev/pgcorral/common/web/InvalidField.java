package dev.pgcorral.common.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One rejected input of a request: a body field (dotted path for nested ones), a query parameter or a
 * path variable; what is allowed; and what was sent. Rendered into a problem document as
 * {@code errors: [{field, message, rejected}]} and summed up in its {@code detail}, e.g.
 * {@code ttlSeconds must be between 1 and 86400 (was 0)}.
 *
 * @param field    the field's or parameter's name as the client spells it
 * @param message  what is allowed, e.g. {@code must be between 1 and 86400}
 * @param rejected the value sent; {@code null} when none was
 */
public record InvalidField(String field, String message, Object rejected) {

    /** Longer rejected strings are described by their length instead of being echoed back. */
    static final int MAX_ECHOED_LENGTH = 100;

    /** {@code ttlSeconds must be between 1 and 86400 (was 0)}; without the parenthesis when nothing was sent. */
    public String sentence() {
        return rejected == null ? field + " " + message : field + " " + message + " (" + describeRejected() + ")";
    }

    /** The {@code errors[]} entry: {@code field}, {@code message}, and {@code rejected} when it is short enough to echo. */
    public Map<String, Object> toMap() {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("field", field);
        entry.put("message", message);
        if (rejected != null && !tooLong()) {
            entry.put("rejected", rejected instanceof Number || rejected instanceof Boolean ? rejected : rejected.toString());
        }
        return entry;
    }

    /** The {@code detail} of a problem listing these fields: their sentences, joined. */
    public static String detail(List<InvalidField> fields) {
        return fields.stream().map(InvalidField::sentence).collect(Collectors.joining("; "));
    }

    private boolean tooLong() {
        return rejected instanceof CharSequence s && s.length() > MAX_ECHOED_LENGTH;
    }

    private String describeRejected() {
        if (rejected instanceof CharSequence s) {
            return tooLong() ? "was " + s.length() + " characters long" : "was \"" + s + "\"";
        }
        return "was " + rejected;
    }
}
