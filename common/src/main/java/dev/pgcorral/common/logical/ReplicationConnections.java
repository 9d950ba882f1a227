package dev.pgcorral.common.logical;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** Opens pgjdbc's logical replication connections, set up the way the decoder and value conversion expect. */
final class ReplicationConnections {

    /**
     * Output settings of the WAL sender, so column values arrive in the text forms
     * {@link dev.pgcorral.common.logical.values.PgValues} reads (pgjdbc itself sends DateStyle=ISO,
     * client_encoding=UTF8 and extra_float_digits=3).
     */
    static final String SESSION_OPTIONS = "-c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=3";

    private ReplicationConnections() {
    }

    static PGConnection open(ConnectionDetails source, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", source.user());
        props.setProperty("password", source.password());
        props.setProperty("replication", "database");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("assumeMinServerVersion", "10");
        props.setProperty("connectTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("options", SESSION_OPTIONS);
        return DriverManager.getConnection(source.jdbcUrl(), props).unwrap(PGConnection.class);
    }

    static LogSequenceNumber toPg(Lsn lsn) {
        return LogSequenceNumber.valueOf(lsn.value());
    }

    static Lsn fromPg(LogSequenceNumber lsn) {
        return new Lsn(lsn.asLong());
    }

    static void closeQuietly(PGConnection connection) {
        if (connection == null) {
            return;
        }
        try {
            ((java.sql.Connection) connection).close();
        } catch (SQLException ignored) {
            // already broken: nothing more to release
        }
    }
}
