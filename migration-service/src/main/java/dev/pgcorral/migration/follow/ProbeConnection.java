package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import dev.pgcorral.common.pg.ConnectionDetails;

/** A watcher's connection of its own: opened when first needed, named ({@code application_name}), opened again after {@link #close}. */
final class ProbeConnection implements AutoCloseable {

    private final ConnectionDetails db;
    private final String name;
    private Connection connection;

    ProbeConnection(ConnectionDetails db, String name) {
        this.db = db;
        this.name = name;
    }

    synchronized Connection get() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = db.connect();
            try (PreparedStatement st = connection.prepareStatement("SELECT set_config('application_name', ?, false)")) {
                st.setString(1, name);
                st.execute();
            }
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // gone already
            }
            connection = null;
        }
    }
}
