package dev.pgcorral.migration.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that encrypts node passwords at rest: SHA-256 of {@code pgcorral.migration.secret-key}
 * ({@code PGCORRAL_MIGRATION_KEY}) when it is set, otherwise SHA-256 of the text in
 * {@code pgcorral.migration.key-file} (surrounding white space ignored). A missing key file is generated at
 * first start: 32 random bytes, base64, in a file created with permissions 600 in one step (written beside it,
 * then linked into place, so no other process ever sees it partly written or with wider permissions, and two
 * services starting at once end up with the same key). An existing key file that group or others may read or
 * write is refused: the service does not start. Neither the key nor the file's text is ever logged.
 */
public final class ClusterKey {

    private static final Logger log = LoggerFactory.getLogger(ClusterKey.class);

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private ClusterKey() {
    }

    /**
     * The 32-byte key.
     *
     * @throws IllegalStateException with what to change, when the key file is unsafe, empty or cannot be made
     */
    public static byte[] resolve(String secretKey, Path keyFile) {
        if (secretKey != null && !secretKey.isEmpty()) {
            return sha256(secretKey);
        }
        Path file = keyFile.toAbsolutePath();
        try {
            if (!Files.exists(file)) {
                generate(file);
            }
            return sha256(read(file));
        } catch (UnsupportedOperationException e) {
            throw noPosix(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the key file " + file + " (pgcorral.migration.key-file) that encrypts"
                    + " cluster passwords: " + e + "; set pgcorral.migration.key-file to a writable place or set"
                    + " pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY)", e);
        }
    }

    private static String read(Path file) throws IOException {
        Set<PosixFilePermission> permissions = permissions(file);
        Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
        extra.addAll(permissions);
        extra.retainAll(NOT_OWNER);
        if (!extra.isEmpty()) {
            throw new IllegalStateException("the key file " + file + " (pgcorral.migration.key-file) that encrypts cluster passwords has"
                    + " permissions " + PosixFilePermissions.toString(permissions) + ": group or others may use it. Run chmod 600 "
                    + file + " (and check who read it), or set pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY)");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IllegalStateException("the key file " + file + " (pgcorral.migration.key-file) is empty; restore the key it held,"
                    + " or delete the file to have a new key generated (passwords stored with the old key are then lost)");
        }
        return text;
    }

    /** Writes a new key to a temporary file with permissions 600, then links it to {@code file} unless another process was first. */
    private static void generate(Path file) throws IOException {
        Path dir = file.getParent();
        if (dir != null && !Files.exists(dir)) {
            // like the embedded server's data folder beside it, which its unprivileged account must reach; the file is 600
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        byte[] text = (Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
        Path temp = Files.createTempFile(dir, ".migration-key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(text));
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, OWNER_ONLY);
            Files.createLink(file, temp);
            log.info("generated the key that encrypts cluster passwords in {} (pgcorral.migration.key-file); keep it, and back it up"
                    + " with the state database", file);
        } catch (FileAlreadyExistsException raced) {
            log.debug("{} was created by another process meanwhile; using it", file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            throw noPosix(file);
        }
    }

    private static IllegalStateException noPosix(Path file) {
        return new IllegalStateException("the file system of " + file + " has no POSIX permissions, so the key file cannot be kept"
                + " private; set pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY) instead");
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this Java runtime", e);
        }
    }
}
