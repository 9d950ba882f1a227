package dev.pgcorral.migration.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.migration.MigrationProperties;

/**
 * The local PostgreSQL migration-service starts on first need: for its state when {@code spring.datasource.url}
 * is not set (database {@value #STATE}), and for embedded destinations (a database each). Its data is kept
 * across restarts and it is ready for logical replication, so a local copy can later follow its source.
 */
public final class EmbeddedServer implements AutoCloseable {

    public static final String STATE = "migration";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

    private final MigrationProperties.Embedded settings;
    private LocalPostgres server;

    public EmbeddedServer(MigrationProperties.Embedded settings) {
        this.settings = settings;
    }

    /** The server, started (initdb on first use) when it is not running yet. */
    public synchronized LocalPostgres server() {
        if (server == null) {
            Path dataDir = settings.dataDir().toAbsolutePath();
            prepareParents(dataDir);
            LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(settings.binDir()), dataDir, true,
                    settings.port(), settings.host(), settings.user(), settings.password(), Map.of("max_connections", "200"),
                    ServerAccount.resolve(settings.runAs()), Duration.ofSeconds(60)).withLogicalReplication();
            LocalPostgres started = new LocalPostgres(options);
            started.start();
            String password = MigrationProperties.DEFAULT_EMBEDDED_PASSWORD.equals(settings.password())
                    ? " (user '" + settings.user() + "', password '" + settings.password() + "', the defaults of pgcorral.migration.embedded.*)"
                    : " (user '" + settings.user() + "', password: pgcorral.migration.embedded.password)";
            log.info("embedded PostgreSQL {} on {}:{}{}, data in {}", started.binaries().version(), settings.host(), started.port(), password,
                    dataDir);
            server = started;
        }
        return server;
    }

    /** A database on the server, created when missing. */
    public ConnectionDetails database(String name) {
        LocalPostgres running = server();
        try (Connection c = running.connect("postgres"); Statement st = c.createStatement();
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + Identifiers.quote(name));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on the embedded server: " + e.getMessage(), e);
        }
        return running.connectionDetails(name);
    }

    public synchronized boolean started() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** The server runs as an unprivileged account: the folders above its data must let it through. */
    private static void prepareParents(Path dataDir) {
        try {
            Path parent = dataDir.getParent();
            if (parent != null && !Files.exists(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir.getParent() + " for the embedded PostgreSQL", e);
        }
    }
}
