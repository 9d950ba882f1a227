package dev.pgcorral.migration;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * migration-service in a JVM of its own (the test's class path), its state in a database the test gives,
 * its log appended to {@code service.log} in the test's folder; started, killed with SIGKILL, started again
 * on the same port. API password {@value #PASSWORD}.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final String PASSWORD = "pw";

    private final Path dir;
    private final ConnectionDetails state;
    private final Map<String, String> environment;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    /** @param environment more settings for the service, as environment variables */
    public ServiceProcess(Path dir, ConnectionDetails state, Map<String, String> environment) throws IOException {
        this.dir = dir;
        this.state = state;
        this.environment = Map.copyOf(environment);
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public MigrationCalls calls() {
        return new MigrationCalls(port, PASSWORD);
    }

    /** Starts the JVM and waits until it answers its health check. */
    public void start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.pgcorral.migration.MigrationServiceApplication")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("service.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SPRING_DATASOURCE_URL", state.jdbcUrl());
        env.put("SPRING_DATASOURCE_USERNAME", state.user());
        env.put("SPRING_DATASOURCE_PASSWORD", state.password());
        env.put("PGCORRAL_PASSWORD", PASSWORD);
        env.put("PGCORRAL_MIGRATION_KEY_FILE", dir.resolve("secret.key").toString());
        env.putAll(environment);
        process = pb.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    /** SIGKILL: no shutdown hook, no goodbye to the servers. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
