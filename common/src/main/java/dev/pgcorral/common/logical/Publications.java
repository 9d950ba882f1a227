package dev.pgcorral.common.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.UserSchemas;

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

    /**
     * Publishes every table of the database: {@code FOR ALL TABLES} when the user may (a superuser), else
     * the tables that exist now outside {@code excludedSchemas} (which the user must own), so tables created
     * later are not published.
     *
     * @return true for {@code FOR ALL TABLES}, false for a list
     * @throws LogicalReplicationException when neither works (the database has no table and the user is no superuser)
     */
    public boolean createForDatabase(String publication, Set<String> excludedSchemas) {
        try {
            createForAllTables(publication);
            return true;
        } catch (LogicalReplicationException e) {
            if (e.reason() != LogicalReplicationException.Reason.PERMISSION_DENIED) {
                throw e;
            }
            List<Table> tables = tables(excludedSchemas);
            if (tables.isEmpty()) {
                throw e;
            }
            createForTables(publication, tables);
            return false;
        }
    }

    /** The ordinary and partitioned tables outside the system schemas and {@code excludedSchemas}. */
    public List<Table> tables(Set<String> excludedSchemas) {
        List<Table> tables = new ArrayList<>();
        try (Connection c = source.connectReadWrite();
             PreparedStatement st = c.prepareStatement("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND " + UserSchemas.CONDITION
                     + " AND NOT n.nspname = ANY (?) ORDER BY 1, 2")) {
            st.setArray(1, c.createArrayOf("text", excludedSchemas.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(new Table(rs.getString(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("listing the tables of " + source.redacted(), e);
        }
        return tables;
    }

    /**
     * The tables of the database (outside the system schemas and {@code excludedSchemas}) whose changes the publication
     * does not carry: neither they nor a partitioned table above them are in it. None for {@code FOR ALL TABLES}, and
     * none when the publication is gone (the stream says so).
     */
    public static List<Table> unpublished(Connection c, String publication, Set<String> excludedSchemas) throws SQLException {
        // the publication's tables read once (a per-table lookup of pg_publication_tables takes seconds on thousands of tables)
        String ancestors = c.getMetaData().getDatabaseMajorVersion() >= 12
                ? "AND NOT (c.relispartition AND EXISTS (SELECT 1 FROM pg_partition_ancestors(c.oid) a WHERE a.relid IN (SELECT relid FROM pub))) "
                : "";
        List<Table> tables = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("WITH pub AS (SELECT pc.oid AS relid FROM pg_publication_tables pt "
                + "JOIN pg_namespace pn ON pn.nspname = pt.schemaname JOIN pg_class pc ON pc.relnamespace = pn.oid AND pc.relname = pt.tablename "
                + "WHERE pt.pubname = ?) "
                + "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind = 'r' AND " + UserSchemas.CONDITION
                + " AND NOT n.nspname = ANY (?) AND EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ? AND NOT puballtables) "
                + "AND c.oid NOT IN (SELECT relid FROM pub) " + ancestors + "ORDER BY 1, 2")) {
            st.setString(1, publication);
            st.setArray(2, c.createArrayOf("text", excludedSchemas.toArray()));
            st.setString(3, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(new Table(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    public boolean exists(String publication) {
        try (Connection c = source.connectReadWrite();
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
        try (Connection c = source.connectReadWrite(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw ReplicationErrors.translate(doing + " on " + source.redacted(), e);
        }
    }
}
