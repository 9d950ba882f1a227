package dev.pgcorral.common.logical.values;

import java.math.BigDecimal;
import java.util.ArrayList;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Where {@link PgValues} puts a value's JSON form: a streaming generator or a tree. One conversion
 * ({@code PgValues.emit}) serves both, so the two forms cannot drift apart.
 */
interface JsonOut {

    void nullValue();

    void bool(boolean value);

    void string(String value);

    void integer(long value);

    /** A finite {@code numeric} in PostgreSQL's plain decimal text, which is valid JSON number text. */
    void decimal(String text);

    /** A finite float in PostgreSQL's shortest exact text ({@code 1e+100}, {@code 0.1}), valid JSON number text. */
    void floating(String text, boolean single);

    /** A json/jsonb value's text. */
    void json(String text);

    void startArray();

    void endArray();

    /** Writes straight to a generator; decimals, floats and JSON are copied as text, not re-formatted. */
    final class ToGenerator implements JsonOut {
        private final JsonGenerator g;

        ToGenerator(JsonGenerator g) {
            this.g = g;
        }

        @Override
        public void nullValue() {
            g.writeNull();
        }

        @Override
        public void bool(boolean value) {
            g.writeBoolean(value);
        }

        @Override
        public void string(String value) {
            g.writeString(value);
        }

        @Override
        public void integer(long value) {
            g.writeNumber(value);
        }

        @Override
        public void decimal(String text) {
            g.writeNumber(text);
        }

        @Override
        public void floating(String text, boolean single) {
            g.writeNumber(text);
        }

        @Override
        public void json(String text) {
            g.writeRawValue(text);
        }

        @Override
        public void startArray() {
            g.writeStartArray();
        }

        @Override
        public void endArray() {
            g.writeEndArray();
        }
    }

    /** Builds a tree; {@link #result()} once the value is complete. */
    final class ToTree implements JsonOut {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
        private final ArrayList<ArrayNode> open = new ArrayList<>();
        private JsonNode result;

        JsonNode result() {
            return result;
        }

        private void add(JsonNode node) {
            if (open.isEmpty()) {
                result = node;
            } else {
                open.get(open.size() - 1).add(node);
            }
        }

        @Override
        public void nullValue() {
            add(NODES.nullNode());
        }

        @Override
        public void bool(boolean value) {
            add(NODES.booleanNode(value));
        }

        @Override
        public void string(String value) {
            add(NODES.stringNode(value));
        }

        @Override
        public void integer(long value) {
            // int-sized values as IntNode, as a JSON reader would produce them
            add(value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value));
        }

        @Override
        public void decimal(String text) {
            add(NODES.numberNode(new BigDecimal(text)));
        }

        @Override
        public void floating(String text, boolean single) {
            add(single ? NODES.numberNode(Float.parseFloat(text)) : NODES.numberNode(Double.parseDouble(text)));
        }

        @Override
        public void json(String text) {
            add(PgJson.parse(text));
        }

        @Override
        public void startArray() {
            ArrayNode array = NODES.arrayNode();
            add(array);
            open.add(array);
        }

        @Override
        public void endArray() {
            open.remove(open.size() - 1);
        }
    }
}
