package dev.pgcorral.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * migration-service with its embedded PostgreSQL (its state, and embedded destinations) in a fresh folder, on a
 * port of its own choosing. It listens on loopback, where it would serve callers without a password; that is
 * turned off, so every call web-ui makes must carry the password.
 */
final class MigrationServiceProcess extends ServiceProcess {

    static final Path JAR = jar("migration-service");

    private final Path folder;

    MigrationServiceProcess(String password) throws IOException {
        super("migration-service", password);
        this.folder = dataFolder("migration-ui");
    }

    static boolean available() {
        return Files.isReadable(JAR);
    }

    @Override
    /**
     * No snapshot kept after a run: the page's compare then reads the source as it is now, so a change made on the
     * source after the clone shows as a difference (with a kept snapshot, a compare right after a clone reads the
     * source as the clone did).
     */
    List<String> arguments() {
        return List.of("--server.port=" + port, "--pgcorral.migration.open-on-loopback=false", "--pgcorral.migration.copy.keep-snapshot=0s");
    }

    @Override
    Map<String, String> environment() {
        return Map.of("PGCORRAL_PASSWORD", password,
                "PGCORRAL_MIGRATION_EMBEDDED_DATA_DIR", folder.resolve("pgdata").toString(),
                "PGCORRAL_MIGRATION_EMBEDDED_PORT", "0",
                "PGCORRAL_MIGRATION_KEY_FILE", folder.resolve("secret.key").toString());
    }

    @Override
    String healthPath() {
        return "/actuator/health";
    }

    @Override
    String healthyAnswer() {
        return "\"status\":\"UP\"";
    }

    @Override
    public void close() throws Exception {
        super.close();
        deleteFolder(folder);
    }
}
