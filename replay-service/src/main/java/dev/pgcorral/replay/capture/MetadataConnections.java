package dev.pgcorral.replay.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Connections to the metadata database for capture: each session's worker holds one for as long as it
 * captures, so they are opened beside the pool (with its URL and login), not taken from it; a pool of
 * any size then still serves the APIs however many sessions capture.
 */
final class MetadataConnections {

    private final DataSource dataSource;

    MetadataConnections(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Connection connect() throws SQLException {
        if (dataSource instanceof HikariDataSource hikari) {
            return DriverManager.getConnection(hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword());
        }
        return dataSource.getConnection();
    }
}
