package dev.pgcorral.lock.client;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lock-service these tests lease from: its packaged jar ({@code ./mvnw package} builds lock-service before this
 * module) in a process of its own, as a user runs it: one local server, {@value #DATABASES} databases, a free port, the
 * default password. Started once for the whole test JVM and stopped when it exits.
 */
final class LockServiceUnderTest {

    static final int DATABASES = 4;
    static final String PASSWORD = "pgflock";
    private static LockServiceUnderTest shared;

    final int port;
    private final Process process;

    private LockServiceUnderTest() throws Exception {
        Path jar = Path.of("..", "lock-service", "target", "lock-service.jar").toAbsolutePath().normalize();
        if (!Files.isReadable(jar)) {
            throw new IllegalStateException(jar + " is missing: build lock-service first (./mvnw -DskipTests package -pl lock-service -am)");
        }
        Path copy = Files.createTempFile("lock-service", ".jar"); // a rebuild meanwhile does not pull the jar from under the process
        Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        copy.toFile().deleteOnExit();
        Path log = Files.createTempFile("lock-service", ".log");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", copy.toString(),
                "--logging.level.root=warn", "--pgcorral.lock.port=" + port, "--pgcorral.lock.instances=1",
                "--pgcorral.lock.databases-per-instance=" + DATABASES, "--pgcorral.lock.template.watch-interval=0s"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        LockClient client = client();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("lock-service exited:\n" + Files.readString(log));
            }
            try {
                PoolStatus status = client.status();
                if (status.status().equals("ok") && status.free() == DATABASES) {
                    return;
                }
            } catch (LockServiceUnreachableException starting) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("lock-service did not come up:\n" + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    static synchronized LockServiceUnderTest shared() throws Exception {
        if (shared == null) {
            shared = new LockServiceUnderTest();
        }
        return shared;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    LockClient client() {
        return new LockClient(url(), PASSWORD);
    }

    /** Makes {@link LockClient#fromEnvironment()} in this JVM find this lock-service. */
    void useFromEnvironment() {
        System.setProperty("pgcorral.lock.url", url().toString());
        System.setProperty("pgcorral.lock.password", PASSWORD);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
