package dev.pgcorral.common.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Readiness;

/**
 * One PostgreSQL server run as a child process: {@code initdb} when the data directory is new,
 * start on a port, wait until it accepts connections, supervise, stop with a fast shutdown.
 * Data directories are throwaway (deleted at stop) unless {@link Options#keepData()}. The postmaster
 * is started directly (no {@code pg_ctl}), so it is our child and, on Linux, gets an immediate-shutdown
 * signal when the JVM dies.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    /** The server's output, in its data directory. */
    public static final String LOG_FILE = "pgcorral-server.log";

    /** Settings of a throwaway server: speed over durability. */
    public static final Map<String, String> THROWAWAY_SETTINGS = Map.of(
            "fsync", "off",
            "synchronous_commit", "off",
            "full_page_writes", "off",
            "max_connections", "300",
            "log_min_messages", "warning");

    /**
     * Settings of a server ready to be a logical replication source: {@code wal_level = logical} and
     * room for slots and WAL senders. The superuser initdb creates has the REPLICATION attribute.
     */
    public static final Map<String, String> LOGICAL_REPLICATION_SETTINGS = Map.of(
            "wal_level", "logical",
            "max_replication_slots", "32",
            "max_wal_senders", "32",
            "wal_sender_timeout", "60s");

    /**
     * @param port       0 picks a free port
     * @param listenHost address the server listens on and clients are given, e.g. {@code 127.0.0.1}
     * @param settings   server settings passed as {@code -c name=value}
     */
    public record Options(PostgresBinaries binaries, Path dataDir, boolean keepData, int port, String listenHost,
                          String superuser, String password, Map<String, String> settings, ServerAccount account,
                          Duration startTimeout) {
        public Options {
            Objects.requireNonNull(binaries, "binaries");
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(superuser, "superuser");
            Objects.requireNonNull(account, "account");
            listenHost = listenHost == null || listenHost.isBlank() ? "127.0.0.1" : listenHost;
            password = password == null ? "" : password;
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            startTimeout = startTimeout == null ? Duration.ofSeconds(60) : startTimeout;
        }

        /**
         * These options with {@link #LOGICAL_REPLICATION_SETTINGS} added, for a server that serves
         * logical replication (settings given here win).
         */
        public Options withLogicalReplication() {
            Map<String, String> merged = new LinkedHashMap<>(LOGICAL_REPLICATION_SETTINGS);
            merged.putAll(settings);
            return new Options(binaries, dataDir, keepData, port, listenHost, superuser, password, merged, account, startTimeout);
        }
    }

    private final Options options;
    private final List<Runnable> deathListeners = new CopyOnWriteArrayList<>();
    private volatile Process process;
    private volatile boolean stopping;
    private final RestartPacing pacing = new RestartPacing(System::nanoTime);
    private int port;

    public LocalPostgres(Options options) {
        this.options = options;
        this.port = options.port();
    }

    /** Runs {@code listener} when the server exits without {@link #stop()} having been called. */
    public void onUnexpectedExit(Runnable listener) {
        deathListeners.add(listener);
    }

    /**
     * From now on, starts the server again whenever it exits without {@link #stop()} (a crash, a {@code kill -9}), on a
     * thread of its own: at once, then after 1 s, doubling up to 30 s, while it does not start (the dead server's
     * processes may hold its shared memory a little longer). A server that keeps dying within a minute of each start
     * waits before it is started again ({@link RestartPacing}). Kept data recovers as after any crash.
     */
    public void restartWhenItDies() {
        pacing.started();
        onUnexpectedExit(() -> {
            Thread t = new Thread(this::restartAfterDeath, "pgcorral-postgres-restart-" + port);
            t.setDaemon(true);
            t.start();
        });
    }

    private void restartAfterDeath() {
        Duration pause = pacing.pauseAfterDeath();
        if (!pause.isZero()) {
            log.warn("PostgreSQL on port {} died within {} s of its last start: starting it again in {} s, not at once", port,
                    RestartPacing.QUICK.toSeconds(), pause.toSeconds());
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        RetryPolicy policy = RetryPolicy.builder().maxRetries(Long.MAX_VALUE).delay(Duration.ofSeconds(1)).multiplier(2)
                .maxDelay(Duration.ofSeconds(30)).build();
        try {
            new RetryTemplate(policy).execute(() -> {
                if (startUnlessStopped()) {
                    pacing.started();
                    log.info("PostgreSQL on port {} started again after it exited unexpectedly", port);
                }
                return null;
            });
        } catch (RetryException e) {
            log.error("PostgreSQL on port {} could not be started again: {}", port, e.getMessage());
        }
    }

    /** Starts the server unless {@link #stop()} was called since it died; true when it started. */
    private synchronized boolean startUnlessStopped() {
        if (stopping) {
            return false;
        }
        try {
            start();
            return true;
        } catch (RuntimeException e) {
            log.warn("PostgreSQL on port {} did not start again yet: {}", port, e.getMessage().lines().findFirst().orElse(""));
            throw e;
        }
    }

    /**
     * Starts the server. A throwaway server whose data directory is damaged (say, a crash left it
     * unusable) starts over from a fresh {@code initdb}; a kept one reports the failure.
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        stopping = false;
        DataDirectories.refuseIfInUse(options.dataDir()); // before anything could start over on another server's data
        try {
            boolean fresh = !Files.exists(options.dataDir().resolve("PG_VERSION"));
            try {
                InitDb.ifNeeded(options);
                launchOnAPort();
            } catch (IllegalStateException e) {
                if (options.keepData() || fresh) {
                    throw e;
                }
                log.warn("PostgreSQL in {} did not start ({}); starting over with a fresh data directory",
                        options.dataDir(), e.getMessage().lines().findFirst().orElse(""));
                deleteTree(options.dataDir());
                InitDb.ifNeeded(options);
                launchOnAPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + options.dataDir(), e);
        }
    }

    private void launchOnAPort() throws IOException {
        boolean autoPort = options.port() == 0;
        for (int attempt = 1; ; attempt++) {
            if (autoPort && (port == 0 || attempt > 1)) {
                port = freePort();
            }
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                if (!autoPort || attempt == 3 || !logTail().contains("could not bind")) {
                    throw e;
                }
                log.info("port {} is taken, trying another", port);
            }
        }
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public int port() {
        return port;
    }

    /**
     * The server's output: {@value #LOG_FILE} in its data directory, which is the service's own (a file beside it could be
     * anyone's), made anew at each start.
     */
    public Path logFile() {
        return options.dataDir().resolve(LOG_FILE);
    }

    public PostgresBinaries binaries() {
        return options.binaries();
    }

    /** How to reach {@code database} on this server as the superuser. */
    public ConnectionDetails connectionDetails(String database) {
        return new ConnectionDetails(options.listenHost(), port, database, options.superuser(), options.password());
    }

    public Connection connect(String database) throws SQLException {
        return connectionDetails(database).connect();
    }

    /** Fast shutdown (clients are disconnected), then the data directory goes unless kept. */
    public synchronized void stop() {
        stopping = true;
        Process p = process;
        if (p != null && p.isAlive()) {
            // its backends too, should it have to be killed: left running, they hold its shared memory, and the next start on
            // this directory fails
            List<ProcessHandle> tree = p.descendants().toList();
            signal(p, "INT");
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    log.warn("PostgreSQL on port {} did not stop within 15 s, killing it and its processes", port);
                    killAll(p, tree);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                killAll(p, tree);
            }
        }
        process = null;
        if (!options.keepData()) {
            deleteTree(options.dataDir());
        }
    }

    /** Kills the server and {@code tree}, its processes, and waits up to 10 s for each to end. */
    private void killAll(Process server, List<ProcessHandle> tree) {
        server.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        List<ProcessHandle> all = new ArrayList<>(tree);
        all.add(server.toHandle());
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("PostgreSQL on port {}: its process {} did not end within 10 s of being killed", port, h.pid());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Kills the server abruptly, as a crash would; for supervision tests and emergencies. */
    public void kill() {
        Process p = process;
        if (p != null) {
            try {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The last lines the server wrote to its log. */
    public String logTail() {
        return logTail(20);
    }

    /** The last {@code count} lines the server wrote to its log. */
    public String logTail(int count) {
        try {
            if (!Files.exists(logFile())) {
                return "";
            }
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void launch() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>(options.settings());
        settings.put("listen_addresses", options.listenHost());
        settings.put("unix_socket_directories", options.dataDir().toString());
        List<String> command = new ArrayList<>(List.of(options.binaries().postgres().toString(),
                "-D", options.dataDir().toString(), "-p", Integer.toString(port)));
        settings.forEach((name, value) -> {
            command.add("-c");
            command.add(name + "=" + value);
        });
        Path logFile = logFile();
        Files.deleteIfExists(logFile);
        // the server dies with the JVM where the platform allows (a parent-death signal, see ServerAccount)
        Process started = ServerLauncher.start(new ProcessBuilder(options.account().wrapServer(command))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile()));
        process = started;
        started.onExit().thenRun(() -> {
            if (!stopping && process == started) {
                log.warn("PostgreSQL on port {} exited unexpectedly (code {}); last log lines:\n{}",
                        port, started.exitValue(), logTail());
                deathListeners.forEach(Runnable::run);
            }
        });
        awaitReady(started);
        log.info("PostgreSQL {} ({}) ready on {}:{} as {}, data in {}", options.binaries().version(),
                options.binaries().source(), options.listenHost(), port, options.account(), options.dataDir());
    }

    private void awaitReady(Process started) {
        try {
            Readiness.await(connectionDetails("postgres"), started::isAlive, options.startTimeout());
        } catch (IllegalStateException e) {
            process = null; // before the kill: this attempt's exit is not a death to report
            started.destroyForcibly();
            try {
                started.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("PostgreSQL on port " + port + " did not start: " + e.getMessage() + "\n" + logTail(), e);
        }
    }

    private static void signal(Process p, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            p.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.getMessage());
        }
    }
}
