package dev.pgcorral.migration.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Connections to a server a user registered or named: opened within what is left of one deadline (connect,
 * log-in and every later read), and failures described without the password.
 */
final class RemoteServer {

    private RemoteServer() {
    }

    /**
     * A connection to {@code target} whose set-up and later reads end by {@code deadline} ({@link System#nanoTime}).
     *
     * @param sslMode libpq's sslmode, null for the driver's default ({@code prefer})
     */
    static Connection open(ConnectionDetails target, String sslMode, long deadline) throws SQLException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SQLException("no time left to connect", "08001");
        }
        String seconds = Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L)));
        Properties properties = new Properties();
        properties.setProperty("user", target.user());
        properties.setProperty("password", target.password());
        properties.setProperty("ApplicationName", "pgcorral-migration");
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        if (sslMode != null) {
            properties.setProperty("sslmode", sslMode);
        }
        Connection connection = DriverManager.getConnection(target.jdbcUrl(), properties);
        try {
            connection.setNetworkTimeout(Runnable::run, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** {@code failed to connect to `host=h port=p user=u database=d`: <driver message>}. */
    static String connectFailure(Exception e, ConnectionDetails target) {
        return "failed to connect to `host=" + target.host() + " port=" + target.port() + " user=" + target.user() + " database="
                + target.database() + "`: " + message(e, target);
    }

    /**
     * The driver's message, or, where it holds the password (a server's own error text may hold anything), a note that it is
     * withheld: masking the password in place would garble the message where it is part of a word or an address, and tell
     * what it is where it is a word of the message's own. Shown as it is where the password is the user, host, port or
     * database, which the message shows as such.
     */
    static String message(Exception e, ConnectionDetails target) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String password = target.password();
        if (password.isEmpty() || !message.contains(password)
                || List.of(target.user(), target.host(), Integer.toString(target.port()), target.database()).contains(password)) {
            return message;
        }
        return "the error text is withheld: it contains the node's password (" + e.getClass().getSimpleName() + ")";
    }

    /** Closes without failing: the work on the connection is done. */
    static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // the server went away meanwhile; nothing is left to release on our side
        }
    }
}
