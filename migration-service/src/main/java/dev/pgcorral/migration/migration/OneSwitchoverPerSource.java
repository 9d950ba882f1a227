package dev.pgcorral.migration.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * One switchover at a time from a source database. Two at once would undo each other: one that fails gives the source
 * its writes back, also after the other moved them away for good. A source database is known by what its server says
 * of itself, so one server registered under two names ({@code localhost}, {@code 127.0.0.1}) is one source.
 */
final class OneSwitchoverPerSource {

    private static final String IDENTITY = "SELECT system_identifier || ':' || current_setting('port') || '/' || current_database()"
            + " FROM pg_control_system()";

    /** Source database (see {@link #identity}) → the migration switching over from it. */
    private final Map<String, String> switching = new ConcurrentHashMap<>();

    /** Null when {@code migrationId} may switch over from {@code source} now (it holds it until {@link #release}); else the one that does. */
    String claim(ConnectionDetails source, String migrationId) {
        String holder = switching.putIfAbsent(identity(source), migrationId);
        return holder == null || holder.equals(migrationId) ? null : holder;
    }

    void release(String migrationId) {
        switching.values().remove(migrationId);
    }

    /**
     * The server's system identifier, port and the database's name, as the server tells them; where it cannot be asked
     * (the switchover then fails on its own), host, port and database as registered.
     */
    private static String identity(ConnectionDetails source) {
        try (Connection c = source.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(IDENTITY)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return source.host() + ":" + source.port() + "/" + source.database();
        }
    }
}
