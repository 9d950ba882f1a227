package dev.pgcorral.ui;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * lock-service as a user runs it: its packaged jar in a process of its own, on the embedded default,
 * on a fixed port so it can be stopped and started again where web-ui expects it.
 */
final class LockServiceProcess implements AutoCloseable {

    static final Path JAR = Path.of("..", "lock-service", "target", "lock-service.jar").toAbsolutePath().normalize();

    final int port;
    private final int instances;
    private final int databasesPerInstance;
    private final Path log;
    /** A Flyway folder watched for changes; null for none. */
    private final Path migrations;
    private Process process;

    LockServiceProcess() throws IOException {
        this(1, 3, null);
    }

    LockServiceProcess(int instances, int databasesPerInstance) throws IOException {
        this(instances, databasesPerInstance, null);
    }

    LockServiceProcess(int instances, int databasesPerInstance, Path migrations) throws IOException {
        this.instances = instances;
        this.databasesPerInstance = databasesPerInstance;
        this.migrations = migrations;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = Files.createTempFile("lock-service", ".log");
    }

    static boolean available() {
        return Files.isReadable(JAR);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void start() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "--pgcorral.lock.port=" + port,
                "--pgcorral.lock.instances=" + instances, "--pgcorral.lock.databases-per-instance=" + databasesPerInstance,
                "--logging.level.root=warn"));
        if (migrations == null) {
            command.add("--pgcorral.lock.template.watch-interval=0s");
        } else {
            command.add("--pgcorral.lock.template.watch-interval=300ms");
            command.add("--pgcorral.lock.template.migrations=filesystem:" + migrations);
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("lock-service exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(url().resolve("/health-check"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"status\":\"ok\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("lock-service did not come up:\n" + Files.readString(log));
    }

    /** A call to lock-service's JSON API with its default password; the body of the answer, or what went wrong. */
    String api(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url().resolve(path))
                    .header("Authorization", "Bearer pgflock").header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "unreachable: " + e;
        }
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        new File(log.toString()).delete();
    }
}
