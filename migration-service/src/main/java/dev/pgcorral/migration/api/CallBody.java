package dev.pgcorral.migration.api;

import java.util.Arrays;
import java.util.List;

import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.common.web.JsonWholeNumbers;
import tools.jackson.databind.JsonNode;

/**
 * The JSON body of a call that takes a few keys ({@code stop}'s {@code keep_slot}, {@code switchover}'s
 * {@code timeout_sec}). A key it does not take is a 400: ignored, a misspelt one would have the call do what was not
 * asked (drop a slot asked to be kept).
 */
final class CallBody {

    private final JsonNode body;

    private CallBody(JsonNode body) {
        this.body = body;
    }

    /** {@code body} (null: none), which may hold only {@code keys}. */
    static CallBody of(JsonNode body, String... keys) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            return new CallBody(null);
        }
        if (!body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object, such as {\"" + keys[0] + "\": …}");
        }
        List<String> taken = Arrays.asList(keys);
        for (String key : body.propertyNames()) {
            if (!taken.contains(key)) {
                throw ApiException.badRequest("unknown key " + key + " in the body: this call takes " + String.join(", ", keys));
            }
        }
        return new CallBody(body);
    }

    /** A true or false (as text too); null when absent. A JSON null is refused: read as false, it would drop a slot to keep. */
    Boolean bool(String key) {
        JsonNode value = body == null ? null : body.get(key);
        if (value == null) {
            return null;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isString() && (value.stringValue().equalsIgnoreCase("true") || value.stringValue().equalsIgnoreCase("false"))) {
            return Boolean.valueOf(value.stringValue()); // as in the query
        }
        throw ApiException.badRequest(key + " must be true or false, was " + value);
    }

    /**
     * A whole number, a JSON one (text is refused, as a create's fields of another type are), from {@code min} to {@code max}
     * ({@code unit} said after them); null when absent. A JSON null is refused, as for {@link #bool}.
     */
    Long whole(String key, long min, long max, String unit) {
        JsonNode value = body == null ? null : body.get(key);
        if (value == null) {
            return null;
        }
        String range = key + " must be between " + min + " and " + max + " " + unit + ", was " + value;
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
                throw ApiException.badRequest(range);
            }
            return value.longValue();
        }
        if (value.isNumber() && (!JsonWholeNumbers.fits(Long.class, value.doubleValue())
                || value.doubleValue() < min || value.doubleValue() > max)) {
            throw ApiException.badRequest(range);
        }
        if (value.isNumber() && JsonWholeNumbers.whole(value.doubleValue())) {
            throw ApiException.badRequest(key + " " + JsonWholeNumbers.WRITTEN_WHOLE + ", was " + value);
        }
        throw ApiException.badRequest(key + " must be a whole number (a JSON number, not text), was " + value);
    }
}
