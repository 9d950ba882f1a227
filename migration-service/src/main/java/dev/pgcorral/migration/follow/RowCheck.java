package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import dev.pgcorral.common.pg.Identifiers;

/**
 * That every UPDATE and DELETE found its rows, checked by the destination itself: a function of the apply session's
 * own ({@code pg_temp}, gone with the session) takes the statement's row count and raises {@value #SQLSTATE} when it is
 * not the one expected. The error aborts the open transaction, so its {@code COMMIT} can travel in the same round trip
 * as its changes. Where the destination's user may not create temporary objects, the apply reads the row counts instead
 * and sends the {@code COMMIT} once they are checked: a round trip more per destination transaction.
 */
final class RowCheck {

    /** What the function raises with (a class of our own). */
    static final String SQLSTATE = "PGC01";
    /** What follows a count that is off, whichever side checked it. */
    static final String DIFFERS = "the destination differs from the source (a row changed or removed there, or a change that never "
            + "arrived); compare the migration to see which tables differ";

    private RowCheck() {
    }

    /**
     * Creates the function in the session; false when the user may not ({@code TEMPORARY} revoked, no PL/pgSQL).
     *
     * @throws SQLException the connection failed
     */
    static boolean install(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("CREATE FUNCTION pg_temp.pgcorral_rows(got bigint, expected integer, what text) RETURNS void"
                    + " LANGUAGE plpgsql AS $$BEGIN IF got <> expected THEN RAISE EXCEPTION USING ERRCODE = '" + SQLSTATE + "', MESSAGE = "
                    + "CASE WHEN expected = 1 AND got = 0 THEN what || ' found no row on the destination to change'"
                    + " ELSE format('%s found %s of its %s rows on the destination', what, got, expected) END; END IF; END$$");
            return true;
        } catch (SQLException e) {
            if (SqlFaults.connectionFault(e)) {
                throw e;
            }
            return false;
        }
    }

    /**
     * {@code statement} (an UPDATE or DELETE with {@code parameters} parameters) wrapped to check its row count: two
     * parameters more, the count expected and what the statement is, for the error.
     */
    static String wrap(String statement, int parameters) {
        return "WITH changed AS (" + statement + " RETURNING 1) SELECT pg_temp.pgcorral_rows(count(*), $" + (parameters + 1) + ", $"
                + (parameters + 2) + ") FROM changed";
    }

    /** The two arguments {@link #wrap} adds, as they follow the statement's own in an {@code EXECUTE}. */
    static String arguments(int expected, String what) {
        return expected + ", " + Identifiers.literal(what);
    }

    /** What a count that is off says when the apply read it itself. */
    static String describe(String what, int found, int expected) {
        return what + (expected == 1 && found == 0 ? " found no row on the destination to change"
                : " found " + found + " of its " + expected + " rows on the destination");
    }
}
