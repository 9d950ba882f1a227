package dev.pgcorral.migration.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.UserSchemas;
import dev.pgcorral.common.web.ApiException;

/**
 * Reads what a server holds (pgmanager's introspect) within {@link #TIMEOUT}: the server's facts, its databases
 * with their schemas and tables (each database read over its own connection while time is left; one that
 * cannot be read is listed without schemas), the settings not at their defaults, and {@link MigrationReadiness}.
 */
class Introspector {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Time kept for what follows the other databases' schemas (parameters, readiness). */
    private static final Duration RESERVE = Duration.ofSeconds(10);
    /** Longest one other database may take. */
    private static final Duration PER_DATABASE = Duration.ofSeconds(10);

    /** A database's size, 0 where the user may not connect (pg_database_size would fail). */
    private static final String DATABASE_BYTES =
            "CASE WHEN has_database_privilege(d.datname, 'CONNECT') THEN pg_database_size(d.datname) ELSE 0 END";

    /** @throws ApiException 502 {@code connect: ...} when the server cannot be reached, 502 when reading it fails */
    Introspection introspect(ConnectionDetails target) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Connection connection;
        try {
            connection = RemoteServer.open(target, null, deadline);
        } catch (SQLException | RuntimeException e) {
            throw badGateway("connect: " + RemoteServer.connectFailure(e, target));
        }
        try {
            return read(connection, target, deadline);
        } catch (SQLException e) {
            throw badGateway("introspect: reading the server failed: " + RemoteServer.message(e, target));
        } finally {
            RemoteServer.close(connection);
        }
    }

    private static Introspection read(Connection c, ConnectionDetails target, long deadline) throws SQLException {
        String version;
        boolean replica;
        String uptime;
        String startedAt;
        int maxConnections;
        String clusterSize;
        long clusterBytes;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version(), pg_is_in_recovery(), "
                + "date_trunc('second', now() - pg_postmaster_start_time())::text, "
                + "to_char(pg_postmaster_start_time(), 'YYYY-MM-DD HH24:MI:SS TZ'), current_setting('max_connections')::int, "
                + "pg_size_pretty(coalesce(sum(" + DATABASE_BYTES + "), 0)::bigint), coalesce(sum(" + DATABASE_BYTES + "), 0)::bigint "
                + "FROM pg_database d WHERE NOT d.datistemplate")) {
            rs.next();
            version = rs.getString(1);
            replica = rs.getBoolean(2);
            uptime = rs.getString(3);
            startedAt = rs.getString(4);
            maxConnections = rs.getInt(5);
            clusterSize = rs.getString(6);
            clusterBytes = rs.getLong(7);
        }
        return new Introspection(version, replica, uptime, startedAt, maxConnections, clusterSize, clusterBytes,
                databases(c, target, deadline), parameters(c), MigrationReadiness.check(c));
    }

    private static List<Introspection.Database> databases(Connection c, ConnectionDetails target, long deadline) throws SQLException {
        List<Introspection.Database> databases = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT d.datname, pg_size_pretty(" + DATABASE_BYTES
                + "), " + DATABASE_BYTES + ", pg_get_userbyid(d.datdba), d.datallowconn AND has_database_privilege(d.datname, 'CONNECT') "
                + "FROM pg_database d WHERE NOT d.datistemplate ORDER BY 3 DESC, 1")) {
            while (rs.next()) {
                String name = rs.getString(1);
                List<Introspection.Schema> schemas = !rs.getBoolean(5) ? List.of()
                        : name.equals(target.database()) ? schemas(c) : schemasOver(target.withDatabase(name), deadline);
                databases.add(new Introspection.Database(name, rs.getString(2), rs.getLong(3), rs.getString(4), schemas));
            }
        }
        return databases;
    }

    /** The schemas of another database, over a connection of its own; none when it cannot be read in the time left. */
    private static List<Introspection.Schema> schemasOver(ConnectionDetails database, long deadline) {
        long own = Math.min(deadline - RESERVE.toNanos(), System.nanoTime() + PER_DATABASE.toNanos());
        if (own - System.nanoTime() <= 0) {
            return List.of();
        }
        try (Connection other = RemoteServer.open(database, null, own)) {
            return schemas(other);
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static List<Introspection.Schema> schemas(Connection c) throws SQLException {
        Map<String, List<Introspection.Table>> tables = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT n.nspname, c.relname, coalesce(s.n_live_tup, 0), "
                + "pg_size_pretty(pg_total_relation_size(c.oid)), pg_total_relation_size(c.oid), pg_size_pretty(pg_table_size(c.oid)), "
                + "pg_table_size(c.oid), pg_size_pretty(pg_indexes_size(c.oid)), pg_indexes_size(c.oid) "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                + "WHERE c.relkind IN ('r', 'p') AND " + UserSchemas.CONDITION + " ORDER BY n.nspname, 5 DESC, c.relname");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Introspection.Table(rs.getString(1), rs.getString(2),
                        rs.getLong(3), rs.getString(4), rs.getLong(5), rs.getString(6), rs.getLong(7), rs.getString(8), rs.getLong(9)));
            }
        }
        List<Introspection.Schema> schemas = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT n.nspname, "
                + "pg_size_pretty(coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint), coalesce(sum(pg_total_relation_size(c.oid)), 0) "
                + "FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p') "
                + "WHERE " + UserSchemas.CONDITION + " GROUP BY n.nspname ORDER BY n.nspname")) {
            while (rs.next()) {
                List<Introspection.Table> inSchema = tables.getOrDefault(rs.getString(1), List.of());
                schemas.add(new Introspection.Schema(rs.getString(1), inSchema, inSchema.size(), rs.getString(2), rs.getLong(3)));
            }
        }
        return schemas;
    }

    private static List<Introspection.Parameter> parameters(Connection c) throws SQLException {
        List<Introspection.Parameter> parameters = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT name, setting, coalesce(unit, ''), source "
                + "FROM pg_settings WHERE source NOT IN ('default', 'client', 'session') ORDER BY name")) {
            while (rs.next()) {
                parameters.add(new Introspection.Parameter(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return parameters;
    }

    private static ApiException badGateway(String detail) {
        return new ApiException(HttpStatus.BAD_GATEWAY, "Bad Gateway", detail);
    }
}
