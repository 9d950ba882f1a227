package dev.pgcorral.common.pg;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tables, sequences and other relations of a database, by name. */
public final class Relations {

    private Relations() {
    }

    /**
     * Which of {@code named} the connection's database lacks: each key a relation's name as SQL writes it (quoted where
     * needed, schema-qualified), its value what to call it; returns those values, in the map's order, in one query.
     */
    public static List<String> missing(Connection c, Map<String, String> named) throws SQLException {
        List<String> keys = List.copyOf(named.keySet());
        List<String> missing = new ArrayList<>();
        if (keys.isEmpty()) {
            return missing;
        }
        Array names = c.createArrayOf("text", keys.toArray());
        try (PreparedStatement st = c.prepareStatement(
                "SELECT i FROM unnest(?::text[]) WITH ORDINALITY AS n(name, i) WHERE to_regclass(name) IS NULL ORDER BY i")) {
            st.setArray(1, names);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    missing.add(named.get(keys.get(rs.getInt(1) - 1)));
                }
            }
        } finally {
            names.free();
        }
        return missing;
    }
}
