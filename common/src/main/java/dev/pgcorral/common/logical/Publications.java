package dev.pgcorral.common.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * Publications of one source database: the tables whose changes a stream carries. Thread-safe: each
 * call opens its own connection.
 */
public final class Publications {

    /** A table by schema and name, as written (no quoting needed). */
    public record Table(String schema, String name) {
        public String quoted() {
            return Identifiers.quote(schema) + "." + Identifiers.quote(name);
        }
    }

    private final ConnectionDetails source;

    public Publications(ConnectionDetails source) {
        this.source = source;
    }

    /** Publishes every table of the database, present and future (needs a superuser). */
    public void createForAllTables(String publication) {
        execute("creating publication " + publication, "CREATE PUBLICATION " + Identifiers.quote(publication) + " FOR ALL TABLES");
    }

    /** Publishes the listed tables (the user must own them). */
    public void createForTables(String publication, List<Table> tables) {
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("a publication for a list of tables needs at least one table");
        }
        execute("creating publication " + publication, "CREATE PUBLICATION " + Identifiers.quote(publication) + " FOR TABLE "
                + tables.stream().map(Table::quoted).collect(Collectors.joining(", ")));
    }

    public boolean exists(String publication) {
        try (Connection c = source.connect();
             PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("looking up publication " + publication + " on " + source.redacted(), e);
        }
    }

    /** Drops the publication; returns false when there was none. */
    public boolean drop(String publication) {
        boolean existed = exists(publication);
        execute("dropping publication " + publication, "DROP PUBLICATION IF EXISTS " + Identifiers.quote(publication));
        return existed;
    }

    private void execute(String doing, String sql) {
        try (Connection c = source.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw ReplicationErrors.translate(doing + " on " + source.redacted(), e);
        }
    }
}
