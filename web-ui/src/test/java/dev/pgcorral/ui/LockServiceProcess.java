package dev.pgcorral.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** lock-service on the embedded default, with a pool of the given size and, optionally, a watched Flyway folder. */
final class LockServiceProcess extends ServiceProcess {

    static final Path JAR = jar("lock-service");

    private final int instances;
    private final int databasesPerInstance;
    /** A Flyway folder watched for changes; null for none. */
    private final Path migrations;

    LockServiceProcess() throws IOException {
        this(1, 3, null);
    }

    LockServiceProcess(int instances, int databasesPerInstance) throws IOException {
        this(instances, databasesPerInstance, null);
    }

    LockServiceProcess(int instances, int databasesPerInstance, Path migrations) throws IOException {
        super("lock-service", "pgflock");
        this.instances = instances;
        this.databasesPerInstance = databasesPerInstance;
        this.migrations = migrations;
    }

    static boolean available() {
        return Files.isReadable(JAR);
    }

    @Override
    List<String> arguments() {
        List<String> arguments = new ArrayList<>(List.of("--pgcorral.lock.port=" + port,
                "--pgcorral.lock.instances=" + instances, "--pgcorral.lock.databases-per-instance=" + databasesPerInstance));
        if (migrations == null) {
            arguments.add("--pgcorral.lock.template.watch-interval=0s");
        } else {
            arguments.add("--pgcorral.lock.template.watch-interval=300ms");
            arguments.add("--pgcorral.lock.template.migrations=filesystem:" + migrations);
        }
        return arguments;
    }

    @Override
    String healthPath() {
        return "/health-check";
    }

    @Override
    String healthyAnswer() {
        return "\"status\":\"ok\"";
    }
}
