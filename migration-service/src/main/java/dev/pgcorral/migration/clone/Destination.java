package dev.pgcorral.migration.clone;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
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

    /** The OIDs of the relations (indexes aside, which go with their tables) and schemas the database holds now. */
    static List<Long> objects(Connection destination) throws SQLException {
        List<Long> oids = new ArrayList<>();
        try (Statement st = destination.createStatement(); ResultSet rs = st.executeQuery("SELECT c.oid FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind NOT IN ('i', 'I') AND " + UserSchemas.CONDITION
                + " UNION ALL SELECT n.oid FROM pg_namespace n WHERE " + UserSchemas.CONDITION)) {
            while (rs.next()) {
                oids.add(rs.getLong(1));
            }
        }
        return oids;
    }

    /**
     * What the database holds that is not in {@code made} ({@link #objects}, taken when the clone had restored its schema):
     * relations (indexes aside), unless part of one that is (an identity's or serial column's sequence), and schemas but
     * {@code public}; in words, at most {@code limit} of them.
     */
    static List<String> notMade(Connection destination, Set<Long> made, int limit) throws SQLException {
        String query = "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind NOT IN ('i', 'I') AND " + UserSchemas.CONDITION + " AND NOT c.oid = ANY (?)"
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
                + " AND d.deptype IN ('a', 'i') AND d.refobjid = ANY (?))"
                + " UNION ALL SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n"
                + " WHERE " + UserSchemas.CONDITION + " AND n.nspname <> 'public' AND NOT n.oid = ANY (?)"
                + " ORDER BY 1 LIMIT ?";
        List<String> found = new ArrayList<>();
        try (PreparedStatement st = destination.prepareStatement(query)) {
            Array oids = destination.createArrayOf("bigint", made.toArray());
            st.setArray(1, oids);
            st.setArray(2, oids);
            st.setArray(3, oids);
            st.setInt(4, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
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
