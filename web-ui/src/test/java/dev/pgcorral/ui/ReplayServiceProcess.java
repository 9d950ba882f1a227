package dev.pgcorral.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** replay-service on its embedded PostgreSQL in a fresh folder, on a fixed embedded port so a test reaches source and target with JDBC. */
final class ReplayServiceProcess extends ServiceProcess {

    static final Path JAR = jar("replay-service");
    /** The embedded server's superuser and its default password. */
    static final String DB_USER = "replay";
    static final String DB_PASSWORD = "replay";

    final int embeddedPort;
    private final Path dataParent;

    ReplayServiceProcess(String password) throws IOException {
        super("replay-service", password);
        this.embeddedPort = freePort();
        this.dataParent = dataFolder("replay-ui");
    }

    static boolean available() {
        return Files.isReadable(JAR);
    }

    @Override
    List<String> arguments() {
        return List.of("--server.port=" + port, "--pgcorral.replay.embedded.port=" + embeddedPort,
                "--pgcorral.replay.embedded.data-dir=" + dataParent.resolve("pgdata"), "--pgcorral.replay.capture.flush-interval=20ms");
    }

    @Override
    Map<String, String> environment() {
        return Map.of("PGCORRAL_PASSWORD", password);
    }

    @Override
    String healthPath() {
        return "/health";
    }

    @Override
    String healthyAnswer() {
        return "\"status\":\"ok\"";
    }

    /** A connection to a database of the embedded server, e.g. {@code source}. */
    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + embeddedPort + "/" + database, DB_USER, DB_PASSWORD);
    }

    @Override
    public void close() throws Exception {
        super.close();
        deleteFolder(dataParent);
    }
}
