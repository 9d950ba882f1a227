package dev.pgcorral.migration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key that encrypts node passwords, and the cipher: pgmanager's enc:v1 form, the key file's creation and checks. */
class ClusterKeyTest {

    @TempDir
    Path dir;

    @Test
    void aMissingKeyFileIsGeneratedWithPermissions600AndReadAgainTheSame() throws Exception {
        Path file = dir.resolve("sub/migration.key");
        byte[] key = ClusterKey.resolve("", file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String text = Files.readString(file).strip();
        assertThat(Base64.getDecoder().decode(text)).hasSize(32);
        assertThat(key).isEqualTo(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(ClusterKey.resolve(null, file)).isEqualTo(key);
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void theSecretKeyWinsOverTheFile() throws Exception {
        Path file = dir.resolve("never.key");
        assertThat(ClusterKey.resolve("passphrase", file))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest("passphrase".getBytes(StandardCharsets.UTF_8)));
        assertThat(file).doesNotExist();
    }

    @Test
    void aKeyFileOthersMayReadStopsTheStart() throws Exception {
        Path file = dir.resolve("open.key");
        Files.writeString(file, "c2VjcmV0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ClusterKey.resolve("", file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("permissions rw-r--r--").hasMessageContaining("chmod 600 " + file)
                .hasMessageContaining("pgcorral.migration.secret-key").hasMessageNotContaining("c2VjcmV0");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(ClusterKey.resolve("", file)).hasSize(32);
    }

    @Test
    void anEmptyKeyFileIsRefused() throws Exception {
        Path file = dir.resolve("empty.key");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertThatThrownBy(() -> ClusterKey.resolve("", file)).hasMessageContaining("is empty");
    }

    @Test
    void passwordsRoundTripInTheEncV1FormAndAnotherKeyCannotReadThem() {
        PasswordCipher cipher = new PasswordCipher(ClusterKey.resolve("one", dir.resolve("unused")));
        String stored = cipher.encrypt("pässword");
        assertThat(stored).startsWith("enc:v1:").doesNotContain("pässword");
        assertThat(Base64.getDecoder().decode(stored.substring(7))).hasSize(12 + "pässword".getBytes(StandardCharsets.UTF_8).length + 16);
        assertThat(cipher.encrypt("pässword")).isNotEqualTo(stored);
        assertThat(cipher.decrypt(stored)).isEqualTo("pässword");
        assertThat(cipher.encrypt("")).isEmpty();
        assertThat(cipher.decrypt("")).isEmpty();

        PasswordCipher other = new PasswordCipher(ClusterKey.resolve("two", dir.resolve("unused")));
        assertThatThrownBy(() -> other.decrypt(stored)).isInstanceOf(PasswordCipher.UndecryptablePassword.class)
                .hasMessage("it was encrypted with another key");
        assertThatThrownBy(() -> cipher.decrypt("plain")).hasMessage("it is not in the enc:v1: form");
        assertThatThrownBy(() -> cipher.decrypt("enc:v1:!!")).hasMessage("its enc:v1: value is not base64");
    }
}
