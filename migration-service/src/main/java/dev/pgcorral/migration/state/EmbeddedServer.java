package dev.pgcorral.migration.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Databases;
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
            DataDirectories.prepareParents(dataDir);
            LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(settings.binDir()), dataDir, true,
                    settings.port(), settings.host(), settings.user(), settings.password(), Map.of("max_connections", "200"),
                    ServerAccount.resolve(settings.runAs()), Duration.ofSeconds(60)).withLogicalReplication();
            LocalPostgres started = new LocalPostgres(options);
            started.restartWhenItDies(); // the service's state is there: a crash of it must not stop the service for good
            started.start();
            String password = " (user '" + settings.user() + "', password: pgcorral.migration.embedded.password"
                    + (MigrationProperties.DEFAULT_EMBEDDED_PASSWORD.equals(settings.password()) ? ", its documented default: set one of your own)" : ")");
            log.info("embedded PostgreSQL {} on {}:{}{}, data in {}", started.binaries().version(), settings.host(), started.port(), password,
                    dataDir);
            server = started;
        }
        return server;
    }

    /** A database on the server, created when missing. */
    public ConnectionDetails database(String name) {
        LocalPostgres running = server();
        try (Connection c = running.connect("postgres")) {
            Databases.createIfMissing(c, name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on the embedded server: " + e.getMessage(), e);
        }
        return running.connectionDetails(name);
    }

    public synchronized boolean started() {
        return server != null;
    }

    /** Where a client reaches {@code database} on the server, when it runs: its address and user (the password is the service's setting). */
    public synchronized Optional<ConnectionDetails> whereIs(String database) {
        return server == null ? Optional.empty() : Optional.of(server.connectionDetails(database));
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
