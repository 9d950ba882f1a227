package dev.pgcorral.common.logical.values;

import static dev.pgcorral.common.logical.values.PgTypes.*;

import tools.jackson.databind.JsonNode;

/** The way back: a value's JSON form (see {@link PgValues}) to PostgreSQL input text. */
final class PgLiterals {

    private PgLiterals() {
    }

    static String literal(int typeOid, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        int element = arrayElement(typeOid);
        if (element != 0 && node.isArray()) {
            StringBuilder b = new StringBuilder();
            array(b, element, node, element == JSON || element == JSONB);
            return b.toString();
        }
        if (typeOid == JSON || typeOid == JSONB) {
            return PgJson.write(node);
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? "t" : "f";
        }
        if (node.isNumber()) {
            return number(typeOid, node);
        }
        throw new IllegalArgumentException("a JSON " + node.getNodeType().name().toLowerCase()
                + " is no value of type " + PgTypes.name(typeOid));
    }

    private static String number(int typeOid, JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (typeOid == FLOAT4 || typeOid == FLOAT8) {
            // PostgreSQL's float input rounds the decimal text correctly, exponents included
            if (node.isFloat()) {
                return Float.toString(node.floatValue());
            }
            if (node.isDouble()) {
                return Double.toString(node.doubleValue());
            }
            return node.decimalValue().toString();
        }
        // numeric: plain text keeps the scale (1.50 stays 1.50) and needs no exponent range check
        return node.decimalValue().toPlainString();
    }

    /** One-dimensional json/jsonb arrays take nested JSON arrays as elements, all others as dimensions. */
    private static void array(StringBuilder b, int element, JsonNode array, boolean jsonElements) {
        b.append('{');
        int size = array.size();
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            JsonNode child = array.get(i);
            if (child == null || child.isNull()) {
                b.append("NULL");
            } else if (child.isArray() && !jsonElements) {
                array(b, element, child, false);
            } else {
                quoted(b, literal(element, child));
            }
        }
        b.append('}');
    }

    private static void quoted(StringBuilder b, String text) {
        b.append('"');
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        b.append('"');
    }
}
