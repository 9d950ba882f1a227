package dev.pgcorral.common.logical;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * Opens pgjdbc's logical replication connections, set up the way the decoder and value conversion expect, and starts
 * pgoutput streams on them.
 */
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

    /** Starts streaming from the builder's slot at {@code start}, with pgoutput's options as the builder asks for them. */
    static PGReplicationStream startStream(PGConnection connection, ChangeStream.Builder settings, Lsn start) throws SQLException {
        ChainedLogicalStreamBuilder builder = connection.getReplicationAPI().replicationStream().logical()
                .withSlotName(settings.slot)
                .withStartPosition(toPg(start))
                .withSlotOption("proto_version", settings.protocol == ChangeStream.Protocol.V2_STREAMING ? "2" : "1")
                .withSlotOption("publication_names", String.join(",", quoted(settings.publications)))
                .withSlotOption("messages", settings.messages ? "true" : "false")
                .withStatusInterval((int) Math.min(Integer.MAX_VALUE, settings.statusInterval.toMillis()), TimeUnit.MILLISECONDS);
        if (settings.protocol == ChangeStream.Protocol.V2_STREAMING) {
            builder.withSlotOption("streaming", "on");
        }
        if (settings.binary) {
            builder.withSlotOption("binary", "true");
        }
        return builder.start();
    }

    /** pgoutput reads the publication list as identifiers: each is quoted so any name survives. */
    private static List<String> quoted(List<String> publications) {
        List<String> quoted = new ArrayList<>();
        for (String publication : publications) {
            quoted.add('"' + publication.replace("\"", "\"\"") + '"');
        }
        return quoted;
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
