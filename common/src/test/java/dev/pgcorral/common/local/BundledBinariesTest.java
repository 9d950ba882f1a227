package dev.pgcorral.common.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacking the bundled binaries into a shared temp directory: only a folder of our own, writable by
 * nobody else, is used; no archive entry reaches outside it.
 */
class BundledBinariesTest {

    @TempDir
    Path base;
    Path shared;
    Path target;

    @BeforeEach
    void sharedTempDirectory() throws IOException {
        shared = Files.createDirectories(base.resolve("tmp"));
        target = shared.resolve("pgcorral-postgres-test");
    }

    @Test
    void aGoodArchiveIsUnpackedIntoAPrivateFolderMovedIntoPlaceAndReused() throws Exception {
        URL archive = archive(good());

        Path installed = BundledBinaries.install(archive, target);

        assertThat(installed).isEqualTo(target);
        assertThat(PostgresBinaries.holdsServer(target.resolve("bin"))).isTrue();
        assertThat(Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        assertThat(target.resolve("lib/libx.so")).isSymbolicLink().hasContent("library");
        assertThat(target.resolve("lib/libx-again.so.1")).hasContent("library");
        assertThat(BundledBinaries.trusted(target)).isTrue();
        Object inode = Files.getAttribute(target, "unix:ino");

        assertThat(BundledBinaries.install(archive, target)).isEqualTo(target);
        assertThat(Files.getAttribute(target, "unix:ino")).isEqualTo(inode);
        try (var left = Files.list(shared)) {
            assertThat(left).containsExactly(target);
        }
    }

    @Test
    void anEntryClimbingOutOfTheFolderIsRefused() throws Exception {
        List<Entry> entries = good();
        entries.add(Entry.file("bin/../../escaped", "boo"));
        assertRefused(entries, "bin/../../escaped would be written outside the folder");
        assertThat(shared.resolve("escaped")).doesNotExist();
        assertThat(base.resolve("escaped")).doesNotExist();
    }

    @Test
    void anAbsoluteEntryIsRefused() throws Exception {
        List<Entry> entries = good();
        entries.add(Entry.file(base.resolve("absolute").toString(), "boo"));
        assertRefused(entries, "absolute would be written outside the folder");
        assertThat(base.resolve("absolute")).doesNotExist();
    }

    @Test
    void aSymbolicLinkPointingOutsideIsRefused() throws Exception {
        List<Entry> relative = good();
        relative.add(Entry.symlink("lib/outside", "../../../"));
        assertRefused(relative, "lib/outside -> ../../../ points outside the folder");

        List<Entry> absolute = good();
        absolute.add(Entry.symlink("lib/etc", "/etc"));
        assertRefused(absolute, "lib/etc -> /etc points outside the folder");
    }

    @Test
    void aChainOfLinksThatEndsOutsideIsRefused() throws Exception {
        List<Entry> entries = good();
        entries.add(Entry.symlink("lib/up", ".."));           // the folder itself: fine so far
        entries.add(Entry.symlink("lib/sneaky", "up/../x"));  // reads as lib/x, resolves to <folder>/../x
        assertRefused(entries, "lib/sneaky");
    }

    @Test
    void nothingIsWrittenBeneathALink() throws Exception {
        List<Entry> entries = good();
        entries.add(Entry.symlink("share", "lib"));
        entries.add(Entry.file("share/payload", "boo"));
        assertRefused(entries, "share/payload would be written through a symbolic link");
    }

    @Test
    void aHardLinkToAFileOutsideIsRefused() throws Exception {
        Path secret = Files.writeString(base.resolve("secret"), "secret");
        List<Entry> entries = good();
        entries.add(Entry.hardlink("lib/secret", "../../secret"));
        assertRefused(entries, "../../secret would be written outside the folder");
        assertThat(secret).hasContent("secret");
    }

    @Test
    void aTargetWritableByOthersIsNotUsed() throws Exception {
        plantBinaries(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxrwxrwx"));

        Path installed = BundledBinaries.install(archive(good()), target);

        assertThat(installed).isNotEqualTo(target);
        assertThat(installed.startsWith(target)).isFalse();
        assertThat(PostgresBinaries.holdsServer(installed.resolve("bin"))).isTrue();
        assertThat(target.resolve("bin/postgres")).hasContent("#!/bin/sh\necho planted\n");
    }

    @Test
    void aTargetWithAGroupWritableFileInsideIsNotUsed() throws Exception {
        plantBinaries(target);
        Files.setPosixFilePermissions(target.resolve("bin/postgres"), PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThat(BundledBinaries.install(archive(good()), target)).isNotEqualTo(target);
    }

    @Test
    void aTargetOwnedByAnotherUserIsNotUsed() throws Exception {
        Assumptions.assumeTrue(ServerAccount.isRoot(), "giving a folder to another user needs root");
        plantBinaries(target);
        UserPrincipal nobody = target.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        try (var paths = Files.walk(target)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Files.setOwner(p, nobody);
            }
        }

        Path installed = BundledBinaries.install(archive(good()), target);

        assertThat(installed).isNotEqualTo(target);
        assertThat(PostgresBinaries.holdsServer(installed.resolve("bin"))).isTrue();
        assertThat(Files.getOwner(target)).isEqualTo(nobody);
    }

    @Test
    void aLinkInPlaceOfTheTargetIsNotFollowed() throws Exception {
        Path elsewhere = base.resolve("elsewhere");
        plantBinaries(elsewhere);
        Files.createSymbolicLink(target, elsewhere);

        assertThat(BundledBinaries.install(archive(good()), target)).isNotEqualTo(target);
    }

    private void assertRefused(List<Entry> entries, String why) throws IOException {
        URL archive = archive(entries);
        assertThatThrownBy(() -> BundledBinaries.install(archive, target)).isInstanceOf(IOException.class)
                .hasMessageContaining(why);
        assertThat(target).doesNotExist();
        try (var left = Files.list(shared)) {
            assertThat(left).as("nothing left in the shared directory").isEmpty();
        }
    }

    /** What an attacker might put in place: a folder with programs of its own. */
    private static void plantBinaries(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        for (String program : List.of("initdb", "postgres")) {
            Path p = Files.writeString(dir.resolve("bin").resolve(program), "#!/bin/sh\necho planted\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(dir.resolve("bin"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A small distribution shaped like the bundled one: programs, a library and links to it. */
    private static List<Entry> good() {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.dir("bin/"));
        entries.add(Entry.executable("bin/initdb", "#!/bin/sh\n"));
        entries.add(Entry.executable("bin/postgres", "#!/bin/sh\n"));
        entries.add(Entry.dir("lib/"));
        entries.add(Entry.symlink("lib/libx.so", "libx.so.1")); // before its target, as in the real archive
        entries.add(Entry.file("lib/libx.so.1", "library"));
        entries.add(Entry.hardlink("lib/libx-again.so.1", "lib/libx.so.1"));
        return entries;
    }

    private URL archive(List<Entry> entries) throws IOException {
        Path file = Files.createTempFile(base, "archive", ".txz");
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new XZCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry entry = e.type == TarConstants.LF_NORMAL || e.type == TarConstants.LF_DIR
                        ? new TarArchiveEntry(e.name, true) : new TarArchiveEntry(e.name, e.type, true);
                if (e.link != null) {
                    entry.setLinkName(e.link);
                }
                byte[] content = e.content == null ? new byte[0] : e.content.getBytes(StandardCharsets.UTF_8);
                entry.setMode(e.mode);
                if (e.type == TarConstants.LF_NORMAL) {
                    entry.setSize(content.length);
                }
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return file.toUri().toURL();
    }

    private record Entry(String name, byte type, String link, String content, int mode) {
        static Entry dir(String name) {
            return new Entry(name, TarConstants.LF_DIR, null, null, 040755);
        }

        static Entry file(String name, String content) {
            return new Entry(name, TarConstants.LF_NORMAL, null, content, 0100644);
        }

        static Entry executable(String name, String content) {
            return new Entry(name, TarConstants.LF_NORMAL, null, content, 0100755);
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, TarConstants.LF_SYMLINK, target, null, 0120777);
        }

        static Entry hardlink(String name, String target) {
            return new Entry(name, TarConstants.LF_LINK, target, null, 0100644);
        }
    }
}
