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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.springframework.test.context.DynamicPropertyRegistry;

/** A sibling service as a user runs it: its packaged jar in a process of its own, on a fixed port, its API called with its password. */
abstract class ServiceProcess implements AutoCloseable {

    final int port;
    private final String name;
    private final Path jar;
    final String password;
    private final Path log;
    /** The jar as it was when the service first started: a rebuild meanwhile does not pull it from under the process. */
    private Path copy;
    private Process process;

    ServiceProcess(String name, String password) throws IOException {
        this.name = name;
        this.jar = jar(name);
        this.password = password;
        this.port = freePort();
        this.log = Files.createTempFile(name, ".log");
    }

    /** Where {@code ./mvnw package} leaves the service's jar. */
    static Path jar(String name) {
        return Path.of("..", name, "target", name + ".jar").toAbsolutePath().normalize();
    }

    /**
     * A fresh folder for a service's data that an unprivileged account can enter: the service runs its embedded
     * PostgreSQL under one when this JVM is root.
     */
    static Path dataFolder(String prefix) throws IOException {
        Path folder = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        return folder;
    }

    /** Deletes the folder and all in it. */
    static void deleteFolder(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Makes this the service web-ui follows (its only one), under that name and type, with its password. */
    void register(DynamicPropertyRegistry registry, String serviceName, String type) {
        registry.add("pgcorral.ui.services[0].name", () -> serviceName);
        registry.add("pgcorral.ui.services[0].type", () -> type);
        registry.add("pgcorral.ui.services[0].url", () -> url().toString());
        registry.add("pgcorral.ui.services[0].password", () -> password);
    }

    /** The command line's arguments after the jar (never a password). */
    abstract List<String> arguments();

    /** The environment the service gets besides this JVM's. */
    Map<String, String> environment() {
        return Map.of();
    }

    /** The path whose answer says the service is up, and a piece of that answer. */
    abstract String healthPath();

    abstract String healthyAnswer();

    void start() throws Exception {
        if (copy == null) {
            copy = Files.createTempFile(name, ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", copy.toString(), "--logging.level.root=warn"));
        command.addAll(arguments());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment());
        process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(url().resolve(healthPath()))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains(healthyAnswer())) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not come up:\n" + Files.readString(log));
    }

    /** A call to the service's JSON API with its password; the body of the answer, or what went wrong. */
    String api(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url().resolve(path))
                    .header("Authorization", "Bearer " + password).header("Content-Type", "application/json");
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
        if (copy != null) {
            Files.deleteIfExists(copy);
        }
    }
}
