package dev.pgcorral.common.pg;

/**
 * The schemas that can hold a user's tables: all but those PostgreSQL keeps for itself ({@code pg_catalog},
 * {@code information_schema} and every {@code pg_*} one: {@code pg_toast}, {@code pg_temp_N}, …).
 */
public final class UserSchemas {

    /** A SQL condition: {@code n}, a {@code pg_namespace} row under that alias, is one of them. */
    public static final String CONDITION = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

    private UserSchemas() {
    }
}
