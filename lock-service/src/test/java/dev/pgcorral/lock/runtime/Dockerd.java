package dev.pgcorral.lock.runtime;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Stops and starts the machine's Docker engine, for tests of what a dockerd restart does to the
 * docker runtime. Only an engine started by hand the way .ci/run starts it ({@code nohup dockerd >
 * /tmp/pgcorral-ci-dockerd.log 2>&1 &}) is restarted: never one a service manager owns or a remote one.
 * It is started again the same way, in a session of its own, so it outlives the test JVM.
 */
public final class Dockerd {

    private static final Path PID_FILE = Path.of("/var/run/docker.pid");
    private static final Path LOG = Path.of("/tmp/pgcorral-ci-dockerd.log");
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private Dockerd() {
    }

    /** Skips (or in CI fails) the calling test unless the local engine is one this class may restart. */
    public static void requireRestartable() {
        DockerEngine.require();
        String problem = null;
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank() && !host.equals("unix:///var/run/docker.sock")) {
            problem = "DOCKER_HOST points at another engine (" + host + ")";
        } else if (Files.isDirectory(Path.of("/run/systemd/system"))) {
            problem = "dockerd is managed by systemd here; this test restarts only a hand-started dockerd";
        } else if (pid().isEmpty()) {
            problem = "no running dockerd named by " + PID_FILE;
        } else if (!isRoot()) {
            problem = "restarting dockerd needs root";
        }
        if (problem != null) {
            if (System.getenv("CI") != null) {
                fail(problem);
            }
            Assumptions.abort(problem);
        }
    }

    /** Stops dockerd (SIGTERM, as an operator would), waits until it is gone, starts it again and waits until it answers. */
    public static void restart() {
        stop();
        start();
    }

    public static void stop() {
        ProcessHandle daemon = pid().flatMap(ProcessHandle::of)
                .orElseThrow(() -> new IllegalStateException("no running dockerd named by " + PID_FILE));
        daemon.destroy();
        await("dockerd (pid " + daemon.pid() + ") stopping").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> !daemon.isAlive());
    }

    /** Starts dockerd the way .ci/run does unless the engine already answers. */
    public static void ensureRunning() {
        if (!answers()) {
            start();
        }
    }

    private static void start() {
        try {
            new ProcessBuilder("setsid", "sh", "-c", "nohup dockerd >> " + LOG + " 2>&1 < /dev/null &")
                    .redirectOutput(new File("/dev/null")).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start dockerd: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        await("dockerd answering (log: " + LOG + ")").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(Dockerd::answers);
    }

    /** {@code docker info} succeeds. */
    public static boolean answers() {
        try {
            Process info = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                    .redirectOutput(new File("/dev/null")).start();
            return info.waitFor(30, TimeUnit.SECONDS) && info.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<Long> pid() {
        try {
            long pid = Long.parseLong(Files.readString(PID_FILE).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
