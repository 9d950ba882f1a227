package dev.pgcorral.common.logical;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Lsn;

/** A real PostgreSQL server for replication tests; each test takes a database of its own. */
final class TestSource implements AutoCloseable {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final LocalPostgres server;

    private TestSource(LocalPostgres server) {
        this.server = server;
    }

    /** A server ready for logical replication (plus {@code extra} settings). */
    static TestSource logical(Path base, Map<String, String> extra) throws Exception {
        return start(base, extra, true);
    }

    /** A server as initdb leaves it: {@code wal_level = replica}. */
    static TestSource plain(Path base) throws Exception {
        return start(base, Map.of(), false);
    }

    private static TestSource start(Path base, Map<String, String> extra, boolean logical) throws Exception {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        java.util.Map<String, String> settings = new java.util.HashMap<>(LocalPostgres.THROWAWAY_SETTINGS);
        settings.putAll(extra);
        LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(null), base.resolve("data"), false,
                0, "127.0.0.1", "tester", "secret", settings, ServerAccount.resolve(null), null);
        LocalPostgres server = new LocalPostgres(logical ? options.withLogicalReplication() : options);
        server.start();
        return new TestSource(server);
    }

    /** A new, empty database. */
    ConnectionDetails newDatabase() throws SQLException {
        String name = "source" + DATABASES.incrementAndGet();
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + Identifiers.quote(name));
        }
        return server.connectionDetails(name);
    }

    ConnectionDetails superuser(String database) {
        return server.connectionDetails(database);
    }

    LocalPostgres server() {
        return server;
    }

    static void sql(ConnectionDetails db, String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String statement : statements) {
                st.execute(statement);
            }
        }
    }

    static String queryString(ConnectionDetails db, String query) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static Lsn currentLsn(ConnectionDetails db) throws SQLException {
        return Lsn.parse(queryString(db, "SELECT pg_current_wal_lsn()::text"));
    }

    static Lsn confirmedFlush(ConnectionDetails db, String slot) throws SQLException {
        return Lsn.parse(queryString(db, "SELECT coalesce(confirmed_flush_lsn::text, '0/0') FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
    }

    @Override
    public void close() {
        server.stop();
    }
}
