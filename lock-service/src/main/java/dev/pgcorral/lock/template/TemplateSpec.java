package dev.pgcorral.lock.template;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import dev.pgcorral.lock.LockProperties;

/**
 * What goes into {@code test_template}: extensions, the user's Flyway migrations, an optional init
 * SQL file. Its {@link #hash()} covers all of them, so a changed migration means a new template.
 */
public record TemplateSpec(List<String> extensions, List<String> migrationLocations, Path initSql) {

    public static TemplateSpec of(LockProperties.Template template) {
        return new TemplateSpec(List.copyOf(template.extensions()), List.copyOf(template.migrations()), template.initSql());
    }

    public TemplateSpec {
        for (String location : migrationLocations) {
            if (!location.startsWith("filesystem:") && !location.startsWith("classpath:")) {
                throw new IllegalArgumentException("pgcorral.lock.template.migrations: location '" + location
                        + "' must start with filesystem: or classpath:");
            }
            if (location.startsWith("filesystem:") && !Files.isDirectory(Path.of(location.substring("filesystem:".length())))) {
                throw new IllegalArgumentException("pgcorral.lock.template.migrations: directory "
                        + Path.of(location.substring("filesystem:".length())).toAbsolutePath() + " does not exist");
            }
        }
        if (initSql != null && !Files.isReadable(initSql)) {
            throw new IllegalArgumentException("pgcorral.lock.template.init-sql: file " + initSql.toAbsolutePath() + " is not readable");
        }
    }

    /** Hex SHA-256 of the extensions, every migration file (name and content) and the init SQL. */
    public String hash() {
        MessageDigest digest = sha256();
        update(digest, "extensions:" + String.join(",", extensions));
        migrationFiles().forEach((name, content) -> {
            update(digest, "migration:" + name);
            digest.update(content);
        });
        if (initSql != null) {
            update(digest, "init:");
            try {
                digest.update(Files.readAllBytes(initSql));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read init SQL " + initSql, e);
            }
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    public String initSqlText() {
        try {
            return initSql == null ? null : Files.readString(initSql, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read init SQL " + initSql, e);
        }
    }

    private Map<String, byte[]> migrationFiles() {
        Map<String, byte[]> files = new TreeMap<>();
        for (String location : migrationLocations) {
            if (location.startsWith("filesystem:")) {
                Path dir = Path.of(location.substring("filesystem:".length()));
                try (var paths = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                        files.put(location + "/" + dir.relativize(p), Files.readAllBytes(p));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read migrations in " + dir, e);
                }
            } else {
                String path = location.substring("classpath:".length()).replaceAll("^/+", "");
                try {
                    for (Resource r : new PathMatchingResourcePatternResolver().getResources("classpath*:" + path + "/**/*")) {
                        if (r.isReadable() && r.getFilename() != null && r.getFilename().contains(".")) {
                            try (InputStream in = r.getInputStream()) {
                                files.put(location + "/" + r.getFilename(), in.readAllBytes());
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read migrations in " + location, e);
                }
            }
        }
        return files;
    }

    private static void update(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
