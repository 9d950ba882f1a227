package dev.pgcorral.lock.client;

import java.net.URI;
import java.time.Instant;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database of lock-service's pool, clean (a fresh copy of the pool's template), held until {@link #close()}. It is
 * held the way pgflock's client holds it, by an open {@code GET /lock} response: when this JVM ends, even killed, the
 * connection closes and lock-service takes the database back at once. Thread-safe.
 */
public final class Lease implements AutoCloseable {

    private final String id;
    private final String marker;
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Instant expiresAt;
    private final HeldResponse response;
    private volatile PGSimpleDataSource dataSource;

    Lease(String id, String marker, String connectionString, Instant expiresAt, HeldResponse response) {
        URI uri = parse(connectionString);
        String[] userInfo = uri.getUserInfo() == null ? new String[] {""} : uri.getUserInfo().split(":", 2);
        this.id = id;
        this.marker = marker;
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
        this.database = uri.getPath().substring(1);
        this.user = userInfo[0];
        this.password = userInfo.length > 1 ? userInfo[1] : "";
        this.expiresAt = expiresAt;
        this.response = response;
    }

    private static URI parse(String connectionString) {
        try {
            URI uri = URI.create(connectionString);
            if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
                throw new IllegalArgumentException("not postgresql://user:password@host:port/database");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new LockClientException("lock-service answered /lock with something that is not a connection string ("
                    + e.getMessage() + ")");
        }
    }

    /** lock-service's id of the lease (its JSON API and dashboard show it); null from a server that does not send one. */
    public String id() {
        return id;
    }

    /** Who holds it, as lock-service and its dashboard show it. */
    public String marker() {
        return marker;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** {@code jdbc:postgresql://host:port/database}; user and password apart ({@link #user()}, {@link #password()}). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** When lock-service takes the database back by itself unless it is given back before; null if the server did not say. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** A DataSource for the database, with its user and password (pgjdbc's, no pool: each call opens a connection). */
    public DataSource dataSource() {
        PGSimpleDataSource ds = dataSource;
        if (ds == null) {
            ds = new PGSimpleDataSource();
            ds.setServerNames(new String[] {host});
            ds.setPortNumbers(new int[] {port});
            ds.setDatabaseName(database);
            ds.setUser(user);
            ds.setPassword(password);
            ds.setApplicationName("pgcorral lease " + marker);
            dataSource = ds;
        }
        return ds;
    }

    /** Whether the database is still this lease's: not closed here, and not ended by lock-service (its time ran out, a force-release). */
    public boolean held() {
        return !response.released() && !response.ended().isDone();
    }

    /** Gives the database back; lock-service resets it for the next lease. Safe to call again. */
    @Override
    public void close() {
        response.release();
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "Lease[" + marker + " → " + jdbcUrl() + " as " + user + (held() ? "" : ", given back") + "]";
    }
}
