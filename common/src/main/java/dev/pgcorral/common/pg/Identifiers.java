package dev.pgcorral.common.pg;

/** Quoting of SQL identifiers and literals for statements that cannot take bind parameters (DDL). */
public final class Identifiers {

    private Identifiers() {
    }

    /** {@code my"db} becomes {@code "my""db"}. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier must not be empty");
        }
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL identifier must not contain a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A standard-conforming string literal: {@code it's} becomes {@code 'it''s'}. */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL literal must not contain a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
