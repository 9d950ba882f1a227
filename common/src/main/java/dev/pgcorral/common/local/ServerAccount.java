package dev.pgcorral.common.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operating-system account PostgreSQL runs as. PostgreSQL refuses to run as root, and many CI
 * containers run everything as root: then the server runs as an unprivileged account through
 * {@code setpriv} (which execs, so the process we hold is the postmaster itself) and its
 * directories are handed to that account. When the JVM is not root, the server runs as the JVM's user.
 *
 * <p>Where {@code setpriv} can set a parent-death signal (Linux, util-linux 2.33+), the server gets
 * {@link #DEATH_SIGNAL} when the JVM dies, so a killed JVM leaves no server running. The kernel sends
 * it when the <em>thread</em> that started the process ends, so servers are started from one thread
 * that lives as long as the JVM ({@link ServerLauncher}).
 */
public final class ServerAccount {

    /**
     * What the postmaster gets when the JVM dies: an immediate shutdown (its backends are ended and
     * its shared memory released), which SIGKILL would not do.
     */
    public static final String DEATH_SIGNAL = "SIGQUIT";

    private static volatile Boolean pdeathsigSupported;

    private final String name;
    private final Integer uid;
    private final Integer gid;

    private ServerAccount(String name, Integer uid, Integer gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    /**
     * @param preferred the account to use when the JVM is root; null or blank picks {@code postgres}
     *                  when it exists, else {@code nobody}
     */
    public static ServerAccount resolve(String preferred) {
        if (!isRoot()) {
            return new ServerAccount(System.getProperty("user.name"), null, null);
        }
        List<String> candidates = preferred == null || preferred.isBlank() ? List.of("postgres", "nobody") : List.of(preferred);
        for (String candidate : candidates) {
            Integer uid = id(candidate, "-u");
            Integer gid = id(candidate, "-g");
            if (uid != null && gid != null) {
                if (uid == 0) {
                    throw new IllegalStateException("the PostgreSQL server account '" + candidate + "' is root; "
                            + "PostgreSQL refuses to run as root, configure an unprivileged account");
                }
                return new ServerAccount(candidate, uid, gid);
            }
        }
        throw new IllegalStateException("the JVM runs as root and no unprivileged account to run PostgreSQL was found (tried "
                + String.join(", ", candidates) + "); create one or configure run-as");
    }

    public String name() {
        return name;
    }

    public boolean switches() {
        return uid != null;
    }

    /** The command, run as this account. */
    public List<String> wrap(List<String> command) {
        if (!switches()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * The server command, run as this account, and sent {@link #DEATH_SIGNAL} when the thread that
     * starts it ends, where the platform allows. Start it through {@link ServerLauncher}.
     */
    public List<String> wrapServer(List<String> command) {
        if (!diesWithParentSupported()) {
            return wrap(command);
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv"));
        if (switches()) {
            wrapped.addAll(List.of("--reuid=" + uid, "--regid=" + gid, "--init-groups"));
        }
        wrapped.addAll(List.of("--pdeathsig", DEATH_SIGNAL, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** {@code setpriv} is here and knows {@code --pdeathsig}. */
    public static boolean diesWithParentSupported() {
        Boolean supported = pdeathsigSupported;
        if (supported == null) {
            supported = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                    && output(List.of("setpriv", "--help")).contains("--pdeathsig");
            pdeathsigSupported = supported;
        }
        return supported;
    }

    /** Makes this account own the path and everything under it. */
    public void own(Path path) {
        if (!switches()) {
            return;
        }
        try {
            Process chown = new ProcessBuilder("chown", "-R", uid + ":" + gid, path.toString()).redirectErrorStream(true).start();
            String out = new String(chown.getInputStream().readAllBytes());
            if (!chown.waitFor(60, TimeUnit.SECONDS) || chown.exitValue() != 0) {
                throw new IllegalStateException("chown of " + path + " to " + name + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing " + path + " to " + name, e);
        }
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static String output(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes());
            }
            return p.waitFor(10, TimeUnit.SECONDS) ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static Integer id(String account, String flag) {
        try {
            Process id = new ProcessBuilder("id", flag, account).redirectErrorStream(true).start();
            String out;
            try (InputStream in = id.getInputStream()) {
                out = new String(in.readAllBytes()).strip();
            }
            return id.waitFor(10, TimeUnit.SECONDS) && id.exitValue() == 0 ? Integer.valueOf(out) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
