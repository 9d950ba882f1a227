package dev.pgcorral.common.pg;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a PostgreSQL database is and how to log in to it, in the forms clients need:
 * a {@code postgresql://} URL (libpq, pgflock), a JDBC URL, and a redacted form for logs.
 * {@link #toString()} is redacted so that a password never reaches a log by accident.
 */
public record ConnectionDetails(String host, int port, String database, String user, String password) {

    /** The port a URL without one means, as in libpq. */
    public static final int DEFAULT_PORT = 5432;

    public ConnectionDetails {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
        password = password == null ? "" : password;
    }

    /** {@code postgresql://user:password@host:port/database}, user and password percent-encoded. */
    public String postgresUrl() {
        return "postgresql://" + encode(user) + (password.isEmpty() ? "" : ":" + encode(password))
                + "@" + hostForUrl() + ":" + port + "/" + encode(database);
    }

    /** JDBC URL without credentials; pass {@link #user()} and {@link #password()} separately. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + encode(database);
    }

    /** The postgres URL with the password replaced, safe for logs and error messages. */
    public String redacted() {
        return "postgresql://" + encode(user) + (password.isEmpty() ? "" : ":***")
                + "@" + hostForUrl() + ":" + port + "/" + encode(database);
    }

    /** Opens a JDBC connection (10 s connect timeout), named {@code pgcorral} in {@code pg_stat_activity}. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /**
     * {@link #connect()}, given up after {@code within} in all: connect() bounds the TCP connect alone and then waits for
     * the server's greeting as long as it takes (a proxy that accepted the connection but reaches no server holds it).
     */
    public Connection connectWithin(Duration within) throws SQLException {
        Properties props = properties();
        props.setProperty("loginTimeout", String.format(Locale.ROOT, "%.3f", Math.max(1, within.toMillis()) / 1000.0));
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /**
     * {@link #connect()}, in a session whose transactions may write even when the database is read-only by default
     * ({@code default_transaction_read_only}, as a switchover leaves its source): for pgcorral's own administration,
     * such as dropping a slot and a publication there.
     */
    public Connection connectReadWrite() throws SQLException {
        Properties props = properties();
        props.setProperty("options", "-c default_transaction_read_only=off");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    private Properties properties() {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "pgcorral");
        return props;
    }

    public ConnectionDetails withDatabase(String otherDatabase) {
        return new ConnectionDetails(host, port, otherDatabase, user, password);
    }

    @Override
    public String toString() {
        return redacted();
    }

    /**
     * Parses a {@code postgresql://} or {@code postgres://} URL; without a port it is 5432. Query
     * parameters ({@code ?sslmode=disable}) are ignored.
     *
     * @throws IllegalArgumentException with a message a person can act on; it never repeats the password
     */
    public static ConnectionDetails parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("connection string is empty");
        }
        String trimmed = url.strip();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("connection string is not a valid postgresql:// URL");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("connection string must start with postgresql://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("connection string must name a host, e.g. postgresql://user@localhost:5432/db");
        }
        String path = uri.getRawPath();
        if (path == null || path.length() < 2) {
            throw new IllegalArgumentException("connection string must name a database");
        }
        String user = "";
        String password = "";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ConnectionDetails(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), decode(path.substring(1)), user, password);
    }

    private String hostForUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
