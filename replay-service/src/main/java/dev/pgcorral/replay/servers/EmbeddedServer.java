package dev.pgcorral.replay.servers;

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
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.local.LocalPostgres;
import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.local.ServerAccount;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
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
        prepareParents(dataDir);
        LocalPostgres.Options options = new LocalPostgres.Options(PostgresBinaries.locate(settings.binDir()), dataDir, true,
                settings.port(), settings.host(), settings.user(), settings.password(), java.util.Map.of("max_connections", "200"),
                ServerAccount.resolve(settings.runAs()), Duration.ofSeconds(60)).withLogicalReplication();
        LocalPostgres server = new LocalPostgres(options);
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
        String password = ReplayProperties.DEFAULT_EMBEDDED_PASSWORD.equals(settings.password())
                ? " (password '" + settings.password() + "', the default of pgcorral.replay.embedded.password)"
                : " (password: pgcorral.replay.embedded.password)";
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
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement();
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            for (String name : List.of(METADATA, SOURCE, TARGET)) {
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    if (!rs.next()) {
                        st.execute("CREATE DATABASE " + Identifiers.quote(name));
                    }
                }
            }
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
