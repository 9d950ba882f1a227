package dev.pgcorral.migration.clone;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Transactions;
import dev.pgcorral.common.pg.UserSchemas;

/**
 * The destination database of a clone: it must be empty the first time (a clone never writes over a
 * user's data), and what an earlier, interrupted run of the same migration made there is dropped before a
 * new run starts over.
 */
final class Destination {

    private static final String USER_SCHEMAS = "SELECT n.nspname FROM pg_namespace n WHERE " + UserSchemas.CONDITION + " ORDER BY 1";

    private Destination() {
    }

    /** What makes the database not empty, in words; empty when it holds no relation, no schema but public and no large object. */
    static List<String> contents(Connection destination) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Statement st = destination.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*), min(n.nspname || '.' || c.relname) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + UserSchemas.CONDITION)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    found.add(rs.getLong(1) + " relation(s), e.g. " + rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery(USER_SCHEMAS)) {
                while (rs.next()) {
                    if (!rs.getString(1).equals("public")) {
                        found.add("schema " + rs.getString(1));
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_largeobject_metadata")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    found.add(rs.getLong(1) + " large object(s)");
                }
            }
        }
        return found;
    }

    /**
     * What a start over must account for, one row each: its OID and, in words, what it is; {@code owned}: whether it goes
     * with another object (a table's index, sequence, row type or rule; an array or multirange type), which counts for it.
     * Relations, schemas but {@code public}, functions, types, large objects and publications.
     */
    private static final String OBJECTS = "SELECT c.oid, format('%I.%I', n.nspname, c.relname),"
            + " EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')"
            + " AND d.refclassid = 'pg_class'::regclass) OR c.relkind IN ('i', 'I')"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + UserSchemas.CONDITION
            + " UNION ALL SELECT n.oid, 'schema ' || quote_ident(n.nspname), false FROM pg_namespace n WHERE " + UserSchemas.CONDITION
            + " AND n.nspname <> 'public'"
            + " UNION ALL SELECT p.oid, format('function %I.%I', n.nspname, p.proname), false FROM pg_proc p"
            + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + UserSchemas.CONDITION
            + " UNION ALL SELECT t.oid, format('type %I.%I', n.nspname, t.typname), t.typrelid <> 0 OR EXISTS (SELECT 1 FROM pg_depend d"
            + " WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype IN ('a', 'i'))"
            + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + UserSchemas.CONDITION
            + " UNION ALL SELECT oid, 'large object ' || oid, false FROM pg_largeobject_metadata"
            + " UNION ALL SELECT oid, 'publication ' || quote_ident(pubname), false FROM pg_publication";

    /** The OIDs of what the database holds now (see {@link #OBJECTS}): once a clone has written it, what it made. */
    static List<Long> objects(Connection destination) throws SQLException {
        List<Long> oids = new ArrayList<>();
        try (Statement st = destination.createStatement(); ResultSet rs = st.executeQuery(OBJECTS)) {
            while (rs.next()) {
                oids.add(rs.getLong(1));
            }
        }
        return oids;
    }

    /**
     * What the database holds that is not in {@code made} ({@link #objects}, taken as the clone wrote it), and that does not
     * go with something else (which is named instead), in words: at most {@code limit}, then how many more.
     */
    static List<String> notMade(Connection destination, Set<Long> made, int limit) throws SQLException {
        List<String> found = new ArrayList<>();
        int more = 0;
        try (Statement st = destination.createStatement(); ResultSet rs = st.executeQuery("SELECT oid, what FROM (" + OBJECTS
                + ") o (oid, what, owned) WHERE NOT owned ORDER BY what")) {
            while (rs.next()) {
                if (made.contains(rs.getLong(1))) {
                    continue;
                }
                if (found.size() < limit) {
                    found.add(rs.getString(2));
                } else {
                    more++;
                }
            }
        }
        if (more > 0) {
            found.add("and " + more + " more");
        }
        return found;
    }

    /**
     * Drops what a clone made: every schema but the system ones (with what is in them, extensions
     * included), publications and large objects; then makes an empty {@code public} again.
     */
    static void clean(Connection destination) throws SQLException {
        Transactions.run(destination, st -> {
            List<String> schemas = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(USER_SCHEMAS)) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
            for (String schema : schemas) {
                st.execute("DROP SCHEMA " + Identifiers.quote(schema) + " CASCADE");
            }
            List<String> publications = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT pubname FROM pg_publication")) {
                while (rs.next()) {
                    publications.add(rs.getString(1));
                }
            }
            for (String publication : publications) {
                st.execute("DROP PUBLICATION " + Identifiers.quote(publication));
            }
            st.execute("SELECT lo_unlink(oid) FROM pg_largeobject_metadata");
            st.execute("CREATE SCHEMA public");
            st.execute("GRANT USAGE ON SCHEMA public TO PUBLIC");
        });
    }
}
