package dev.pgcorral.common.logical.values;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import tools.jackson.core.JsonGenerator;

/** A throwaway PostgreSQL server and one session with the settings a logical replication stream uses. */
final class PgServer implements AutoCloseable {

    static final String STREAM_SETTINGS = "SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'iso_8601';"
            + " SET bytea_output = 'hex'; SET extra_float_digits = 3";

    private final LocalPostgres server;
    private final Connection connection;

    PgServer(Path base) throws IOException, SQLException {
        // the server runs as an unprivileged account when we are root; it must reach its data directory
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = new LocalPostgres(new LocalPostgres.Options(PostgresBinaries.locate(null), base.resolve("data"),
                false, 0, "127.0.0.1", "tester", "secret", LocalPostgres.THROWAWAY_SETTINGS,
                ServerAccount.resolve(null), null));
        server.start();
        connection = server.connect("postgres");
        // no server-side prepared statements: their plans would keep literals read under an earlier TimeZone
        connection.unwrap(org.postgresql.PGConnection.class).setPrepareThreshold(0);
        execute(STREAM_SETTINGS);
        timeZone(java.util.TimeZone.getDefault().getID());
    }

    void execute(String sql) {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    void timeZone(String zone) {
        execute("SET TimeZone = '" + zone + "'");
    }

    /**
     * The expression's text output, as pgoutput would send it; null for SQL NULL. Not {@code ::text}: some casts
     * to text differ from the type's output function (bool gives {@code true}, bpchar loses its padding, inet
     * gains a netmask).
     */
    String text(String expression) {
        return string("SELECT " + output("v") + " FROM (SELECT (" + expression + ") AS v) s");
    }

    /** SQL for the output function's text of {@code expression} (evaluated twice), NULL for NULL. */
    static String output(String expression) {
        return "CASE WHEN (" + expression + ") IS NULL THEN NULL ELSE format('%s', " + expression + ") END";
    }

    int oid(String typeName) {
        return Integer.parseInt(string("SELECT '" + typeName + "'::regtype::oid::text"));
    }

    /** The first column of the one row {@code sql} returns, as text, with {@code ?} parameters bound as text. */
    String string(String sql, String... parameters) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row from " + sql);
                }
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " with " + String.join(", ", parameters) + ": " + e.getMessage(), e);
        }
    }

    boolean bool(String sql, String... parameters) {
        return "t".equals(string(sql, parameters));
    }

    /** The streaming JSON form, as text. */
    static String streamed(int oid, String text) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = PgJson.mapper().createGenerator(out)) {
            PgValues.writeJson(g, oid, text);
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            server.stop();
        }
    }

}
