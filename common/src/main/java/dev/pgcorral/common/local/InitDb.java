package dev.pgcorral.common.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a server's data directory with initdb when it has none: the superuser's password from a file only its account
 * may read (never a command line), removed afterwards; password authentication over TCP, trust on the local socket.
 */
final class InitDb {

    private InitDb() {
    }

    static void ifNeeded(LocalPostgres.Options options) throws IOException {
        Path dataDir = options.dataDir();
        if (Files.exists(dataDir.resolve("PG_VERSION"))) {
            return;
        }
        if (!options.keepData()) {
            LocalPostgres.deleteTree(dataDir);
        }
        Files.createDirectories(dataDir);
        Path pwFile = dataDir.resolveSibling(dataDir.getFileName() + ".pw");
        Files.deleteIfExists(pwFile);
        Files.createFile(pwFile, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pwFile, options.password().isEmpty() ? "postgres" : options.password());
        options.account().own(dataDir);
        options.account().own(pwFile);
        try {
            List<String> command = List.of(options.binaries().initdb().toString(), "-D", dataDir.toString(),
                    "-U", options.superuser(), "--pwfile=" + pwFile, "--auth-local=trust",
                    "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync");
            Process initdb = new ProcessBuilder(options.account().wrap(command)).redirectErrorStream(true).start();
            String out = new String(initdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!initdb.waitFor(120, TimeUnit.SECONDS) || initdb.exitValue() != 0) {
                initdb.destroyForcibly();
                throw new IllegalStateException("initdb failed in " + dataDir + ":\n" + out.strip());
            }
            Files.writeString(dataDir.resolve("pg_hba.conf"),
                    "local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n"
                            + "local replication all trust\nhost replication all 0.0.0.0/0 scram-sha-256\n"
                            + "host replication all ::/0 scram-sha-256\n",
                    StandardOpenOption.APPEND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during initdb", e);
        } finally {
            Files.deleteIfExists(pwFile);
        }
    }
}
