package dev.pgcorral.replay.servers;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.DataDirectories;
import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Databases;
import dev.pgcorral.replay.ReplayProperties;

/**
 * The local PostgreSQL replay-service starts when the metadata store, the source or the target is not
 * configured: ready for logical replication, its data kept across restarts, holding the databases
 * {@value #METADATA}, {@value #SOURCE} and {@value #TARGET}.
 */
public final class EmbeddedServer implements AutoCloseable {

    public static final String METADATA = "replay";
    public static final String SOURCE = "source";
    public static final String TARGET = "target";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);

    private final LocalPostgres server;
    private final ReplayProperties.Embedded settings;

    private EmbeddedServer(LocalPostgres server, ReplayProperties.Embedded settings) {
        this.server = server;
        this.settings = settings;
    }

    /** Starts the server (initdb on first use) and creates its three databases when missing. */
    public static EmbeddedServer start(ReplayProperties.Embedded settings) {
        Path dataDir = settings.dataDir().toAbsolutePath();
        DataDirectories.prepareParents(dataDir);
        LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(settings.binDir()), dataDir, true,
                settings.port(), settings.host(), settings.user(), settings.password(), java.util.Map.of("max_connections", "200"),
                ServerAccount.resolve(settings.runAs()), Duration.ofSeconds(60)).withLogicalReplication();
        LocalPostgres server = new LocalPostgres(options);
        server.restartWhenItDies(); // the metadata store is there: a crash of it must not stop the service for good
        server.start();
        EmbeddedServer embedded = new EmbeddedServer(server, settings);
        try {
            embedded.createDatabases();
        } catch (SQLException e) {
            server.stop();
            throw new IllegalStateException("cannot create the embedded databases: " + e.getMessage(), e);
        }
        return embedded;
    }

    public ConnectionDetails database(String name) {
        return server.connectionDetails(name);
    }

    public PostgresBinaries binaries() {
        return server.binaries();
    }

    /** Prints where a user points an application or psql. */
    public void announce(boolean sourceHere, boolean targetHere, boolean metadataHere) {
        String password = " (password: pgcorral.replay.embedded.password"
                + (ReplayProperties.DEFAULT_EMBEDDED_PASSWORD.equals(settings.password()) ? ", its documented default: set one of your own)" : ")");
        StringBuilder text = new StringBuilder("embedded PostgreSQL " + server.binaries().version() + " on "
                + settings.host() + ":" + server.port() + password + ", data in " + settings.dataDir() + ":");
        if (sourceHere) {
            text.append("\n  source (captured):       ").append(database(SOURCE).redacted());
        }
        if (targetHere) {
            text.append("\n  target (time travel):    ").append(database(TARGET).redacted());
        }
        if (metadataHere) {
            text.append("\n  metadata:                ").append(database(METADATA).redacted());
        }
        log.info(text.toString());
    }

    @Override
    public void close() {
        server.stop();
    }

    private void createDatabases() throws SQLException {
        try (Connection c = server.connect("postgres")) {
            for (String name : List.of(METADATA, SOURCE, TARGET)) {
                Databases.createIfMissing(c, name);
            }
        }
    }
}
