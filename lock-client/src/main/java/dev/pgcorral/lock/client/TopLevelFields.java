package dev.pgcorral.lock.client;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** The scalar fields at the top of a JSON object (nested objects and arrays are skipped): all this client reads. */
final class TopLevelFields {

    private static final JsonFactory JSON = new JsonFactory();

    private TopLevelFields() {
    }

    static Map<String, String> of(String json) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new LockClientException("lock-service answered something that is not a JSON object: " + abbreviate(json));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                } else if (value != JsonToken.VALUE_NULL) {
                    fields.put(name, parser.getText());
                }
            }
            return fields;
        } catch (IOException e) {
            throw new LockClientException("lock-service answered JSON this client cannot read (" + e.getMessage() + "): "
                    + abbreviate(json));
        }
    }

    static int number(Map<String, String> fields, String name) {
        String value = fields.get(name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new LockClientException("lock-service's answer has no whole number \"" + name + "\" (" + value + ")");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
