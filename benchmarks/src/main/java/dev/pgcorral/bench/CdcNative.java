package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;

/**
 * What a user would run instead of migration-service to follow a database: PostgreSQL's own logical replication.
 * The schema goes over with {@code pg_dump --schema-only | pg_restore} (the installed programs, the password in
 * their environment), then {@code CREATE PUBLICATION bench_native FOR ALL TABLES} on the source and
 * {@code CREATE SUBSCRIPTION bench_native ... PUBLICATION bench_native} (copy_data, its slot of the same name)
 * on the destination. Its connection string holds the source's password: it is sent over JDBC and stored in the
 * destination's catalog, never on a command line.
 */
final class CdcNative {

    static final String NAME = "bench_native";
    private static final Duration READY_LIMIT = Duration.ofMinutes(10);

    private final PostgresBinaries binaries;
    private final Path work;

    CdcNative(PostgresBinaries binaries, Path work) {
        this.binaries = binaries;
        this.work = work;
    }

    /**
     * Copies the schema of {@code source} into {@code destination} (empty), publishes the source's tables and
     * subscribes the destination to them; returns once every table is synchronized ({@code pg_subscription_rel}
     * all {@code r}).
     */
    void follow(ConnectionDetails source, ConnectionDetails destination) throws IOException, SQLException, InterruptedException {
        Path schema = work.resolve("native-schema.dump");
        PgTools tools = new PgTools(binaries);
        log("native: pg_dump --schema-only | pg_restore into %s", destination.database());
        tools.run("pg_dump", source, List.of("--schema-only", "--no-publications", "--no-subscriptions", "-Fc", "-f", schema.toString()));
        tools.run("pg_restore", destination, List.of("--exit-on-error", "--no-owner", schema.toString()));
        PgClients.execute(source, "CREATE PUBLICATION " + NAME + " FOR ALL TABLES");
        String conninfo = "host=" + quoted(source.host()) + " port=" + source.port() + " dbname=" + quoted(source.database())
                + " user=" + quoted(source.user()) + " password=" + quoted(source.password());
        log("native: CREATE SUBSCRIPTION %s on %s", NAME, destination.database());
        PgClients.execute(destination, "CREATE SUBSCRIPTION " + NAME + " CONNECTION " + Identifiers.literal(conninfo)
                + " PUBLICATION " + NAME + " WITH (copy_data = true)");
        awaitReady(destination);
    }

    /** Drops the subscription (and so its slot on the source) and the publication. */
    static void stop(ConnectionDetails source, ConnectionDetails destination) throws SQLException {
        PgClients.execute(destination, "DROP SUBSCRIPTION IF EXISTS " + NAME);
        PgClients.execute(source, "DROP PUBLICATION IF EXISTS " + NAME);
    }

    /** Disables the subscription and waits until its apply worker has exited: its slot keeps the changes. */
    static void pause(ConnectionDetails destination) throws SQLException, InterruptedException {
        PgClients.execute(destination, "ALTER SUBSCRIPTION " + NAME + " DISABLE");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!"0".equals(PgClients.query(destination, "SELECT count(*) FROM pg_stat_subscription WHERE subname = '" + NAME
                + "' AND pid IS NOT NULL"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subscription's worker did not exit within a minute of DISABLE");
            }
            Thread.sleep(10);
        }
    }

    /** Enables the subscription again: a new apply worker follows on from where the last one stopped. */
    static void resume(ConnectionDetails destination) throws SQLException {
        PgClients.execute(destination, "ALTER SUBSCRIPTION " + NAME + " ENABLE");
    }

    /** A libpq connection-string value: in single quotes, {@code '} and backslash escaped. */
    private static String quoted(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static void awaitReady(ConnectionDetails destination) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + READY_LIMIT.toNanos();
        try (Connection c = destination.connect(); Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE srsubstate <> 'r') FROM pg_subscription_rel")) {
                    rs.next();
                    if (rs.getLong(1) > 0 && rs.getLong(2) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the subscription's tables were not all ready within " + READY_LIMIT.toMinutes() + " min");
                }
                Thread.sleep(100);
            }
        }
    }
}
