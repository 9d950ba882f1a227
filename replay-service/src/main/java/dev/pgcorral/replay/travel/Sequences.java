package dev.pgcorral.replay.travel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.pg.Identifiers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sequences are not in the change stream: at a checkpoint they are set to the values read on the source
 * then; at any other point each sequence owned by a column is raised past that column's largest value.
 */
final class Sequences {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Sequences() {
    }

    static void setRecorded(Connection target, String sequencesJson) throws SQLException {
        for (JsonNode s : JSON.readTree(sequencesJson)) {
            String name = Identifiers.quote(s.get("schema").asString()) + "." + Identifiers.quote(s.get("name").asString());
            try (PreparedStatement exists = target.prepareStatement("SELECT to_regclass(?)")) {
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) {
                        continue;
                    }
                }
            }
            try (Statement st = target.createStatement()) {
                if (s.get("value").isNull()) {
                    st.execute("ALTER SEQUENCE " + name + " RESTART");
                } else {
                    st.execute("SELECT setval('" + name.replace("'", "''") + "', " + s.get("value").asLong() + ", true)");
                }
            }
        }
    }

    static void raiseToData(Connection target) throws SQLException {
        List<String[]> owned = new ArrayList<>();
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT s.oid::regclass::text, t.oid::regclass::text, quote_ident(a.attname) FROM pg_depend d "
                        + "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                        + "JOIN pg_class t ON t.oid = d.refobjid "
                        + "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                        + "WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                        + "AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)")) {
            while (rs.next()) {
                owned.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        for (String[] o : owned) {
            try (Statement st = target.createStatement()) {
                st.execute("SELECT setval('" + o[0].replace("'", "''") + "', m) FROM (SELECT max(" + o[2] + ") AS m FROM " + o[1]
                        + ") x WHERE m IS NOT NULL AND m > (SELECT last_value FROM " + o[0] + ")");
            }
        }
    }
}
