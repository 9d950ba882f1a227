package dev.pgcorral.lock.client.jdbc;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import dev.pgcorral.lock.client.Lease;
import dev.pgcorral.lock.client.LockAuthenticationException;
import dev.pgcorral.lock.client.LockClient;
import dev.pgcorral.lock.client.LockClientException;
import dev.pgcorral.lock.client.LockServiceUnreachableException;
import dev.pgcorral.lock.client.LockSettings;
import dev.pgcorral.lock.client.NoDatabaseAvailableException;

/**
 * A JDBC driver for {@code jdbc:pgcorral://host:port/name} URLs (see {@link PgcorralUrl}): the first connection leases
 * a clean database from the lock-service at host:port, later ones to the same URL share it, and it goes back when the
 * last one closes. So anything that takes a JDBC URL (Hibernate, jOOQ, Flyway, a connection pool, plain JDBC) gets a
 * fresh database without code. Registered the standard way ({@code META-INF/services/java.sql.Driver}).
 */
public final class PgcorralDriver implements Driver {

    static {
        try {
            DriverManager.registerDriver(new PgcorralDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final Map<String, SharedLease> LEASES = new ConcurrentHashMap<>();
    private static final Map<java.net.URI, LockClient> CLIENTS = new ConcurrentHashMap<>();

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // another driver's URL
        }
        LockSettings settings = LockSettings.fromEnvironment();
        PgcorralUrl parsed = PgcorralUrl.parse(url, settings);
        return LEASES.computeIfAbsent(url, key -> new SharedLease(parsed)).connect(target -> lock(target, settings));
    }

    private static Lease lock(PgcorralUrl url, LockSettings settings) throws SQLException {
        LockClient client = CLIENTS.computeIfAbsent(url.lockService(),
                service -> new LockClient(new LockSettings(service, settings.password(), settings.lockWait())));
        try {
            return client.lock(url.marker(), url.lockWait(), url.ttl());
        } catch (LockServiceUnreachableException e) {
            throw new SQLException(e.getMessage(), "08001");
        } catch (LockAuthenticationException e) {
            throw new SQLException(e.getMessage(), "28P01");
        } catch (NoDatabaseAvailableException e) {
            throw new SQLException(e.getMessage(), "53300");
        } catch (LockClientException e) {
            throw new SQLException(e.getMessage(), "08004");
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return PgcorralUrl.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public boolean jdbcCompliant() {
        return false; // it hands out pgjdbc's connections, but is itself no full JDBC implementation
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("pgcorral's driver does not log through java.util.logging");
    }
}
