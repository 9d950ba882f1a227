package dev.pgcorral.common.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * Runs PostgreSQL's client programs ({@code pg_dump}, {@code pg_restore}) against a database: the password
 * goes through the child's environment, never its command line; a failure says what the program wrote.
 */
public final class PgTools {

    private final PostgresBinaries binaries;

    public PgTools(PostgresBinaries binaries) {
        this.binaries = binaries;
    }

    /**
     * Runs {@code program} with {@code args}, and {@code --dbname} of {@code login}'s database when it is not null.
     * Interrupting the calling thread ends the program (it is killed) and this call.
     */
    public void run(String program, ConnectionDetails login, List<String> args) throws IOException {
        output(program, login, args);
    }

    /** {@link #run}, returning what the program wrote (its standard output and error, together). */
    public String output(String program, ConnectionDetails login, List<String> args) throws IOException {
        if (!Files.isExecutable(binaries.program(program))) {
            throw new IllegalStateException(program + " is not in " + binaries.binDir() + ": install PostgreSQL's client programs "
                    + "(Debian: postgresql-client) or point the service's embedded.bin-dir setting (pgcorral.<service>.embedded.bin-dir) "
                    + "at a bin directory that has them");
        }
        List<String> command = new ArrayList<>();
        command.add(binaries.program(program).toString());
        command.addAll(args);
        Path output = Files.createTempFile("pgcorral-" + program, ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        if (login != null) {
            command.add("--dbname=" + new ConnectionDetails(login.host(), login.port(), login.database(), login.user(), "").postgresUrl());
            builder.environment().put("PGPASSWORD", login.password());
        }
        builder.environment().put("PGCONNECT_TIMEOUT", "10");
        builder.environment().put("PGAPPNAME", "pgcorral"); // the service's own sessions are named so (see ConnectionDetails)
        Process p = builder.start();
        try {
            boolean ok = p.waitFor(1, TimeUnit.HOURS) && p.exitValue() == 0;
            String written = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
            if (!ok) {
                p.destroyForcibly();
                throw new IllegalStateException(program + " failed: " + written.strip());
            }
            return written;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(program + " was interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
