package dev.pgcorral.migration.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Tests a connection the way pgmanager's test-connection does: connect (timed), read {@code version()},
 * {@code pg_is_in_recovery()} and the role's REPLICATION, CREATEDB and SUPERUSER flags, then our
 * {@link MigrationReadiness} checks, all within {@link #TIMEOUT}. A failure to connect is a result, not an
 * exception; a later query that fails leaves its field out.
 */
class ConnectionTester {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ConnectionTester.class);

    /** Tests a libpq connection string; one that cannot be read is an unreachable result saying why. */
    ConnectionTest test(String dsn) {
        Dsn parsed;
        try {
            parsed = Dsn.parse(dsn);
        } catch (IllegalArgumentException e) {
            return ConnectionTest.unreachable(0, "connect: cannot parse the connection string: " + e.getMessage());
        }
        return test(parsed.target(), parsed.sslMode());
    }

    ConnectionTest test(ConnectionDetails target, String sslMode) {
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        Connection connection;
        try {
            connection = RemoteServer.open(target, sslMode, deadline);
        } catch (SQLException | RuntimeException e) {
            return ConnectionTest.unreachable(System.nanoTime() - start, "connect: " + RemoteServer.connectFailure(e, target));
        }
        long latency = System.nanoTime() - start;
        try {
            return read(connection, target, latency);
        } finally {
            RemoteServer.close(connection);
        }
    }

    private static ConnectionTest read(Connection connection, ConnectionDetails target, long latency) {
        String version = null;
        boolean replica = false;
        Map<String, Boolean> privileges = new TreeMap<>();
        privileges.put("connect", true);
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT version(), pg_is_in_recovery()")) {
            rs.next();
            version = rs.getString(1);
            replica = rs.getBoolean(2);
        } catch (SQLException e) {
            log.debug("test-connection to {}: version not read: {}", target, RemoteServer.message(e, target));
        }
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT rolreplication, rolcreatedb, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next()) {
                privileges.put("replication", rs.getBoolean(1));
                privileges.put("createdb", rs.getBoolean(2));
                privileges.put("superuser", rs.getBoolean(3));
            }
        } catch (SQLException e) {
            log.debug("test-connection to {}: role flags not read: {}", target, RemoteServer.message(e, target));
        }
        return new ConnectionTest(true, version, replica, privileges, latency, null, MigrationReadiness.check(connection),
                MigrationReadiness.destination(connection));
    }
}
