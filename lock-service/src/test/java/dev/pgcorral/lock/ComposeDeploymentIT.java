package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.DockerClient;

import dev.pgcorral.lock.runtime.DockerEngine;

/**
 * The compose deployment of lock-service end to end, as an operator runs it: build, up, healthy, lock
 * over HTTP from the host, query the locked database, release, down, nothing left behind. Runs after
 * packaging (failsafe). web-ui, packaged later in the build, is left out here.
 */
class ComposeDeploymentIT {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String JRE_IMAGE = System.getenv().getOrDefault("PGCORRAL_TEST_JRE_IMAGE", "pgcorral-offline/jre:17");
    static final String PROJECT = "pgcorral-it";
    static final String POOL = "compose-it";
    static int port;
    static Map<String, String> env;

    @BeforeAll
    static void composeUp() throws Exception {
        DockerEngine.require();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        env = new HashMap<>(Map.of(
                "JRE_IMAGE", JRE_IMAGE,
                "POSTGRES_IMAGE", DockerEngine.POSTGRES_IMAGE,
                "LOCK_SERVICE_IMAGE", "pgcorral/lock-service:it",
                "LOCK_SERVICE_PORT", Integer.toString(port),
                "POOL_NAME", POOL,
                "NETWORK_NAME", "pgcorral-it",
                "LOCK_DATABASES_PER_INSTANCE", "3",
                "DOCKER_GID", dockerGid()));
        compose("build", "lock-service");
        compose("up", "-d", "lock-service");
    }

    @AfterAll
    static void composeDown() throws Exception {
        if (env != null) {
            compose("down", "--remove-orphans");
        }
    }

    @Test
    void upLockQueryReleaseDown() throws Exception {
        LockServiceClient client = new LockServiceClient(port, "pgflock");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> "ok".equals(client.health().get("status").asString()));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> containerHealth().equals("healthy"));

        try (PgflockConnection lock = PgflockConnection.lock(port, "compose-e2e", "pgflock")) {
            String url = lock.firstLine();
            assertThat(url).startsWith("postgresql://tester:pgflock@localhost:");
            try (Connection db = PoolTestBase.connect(url); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database(), current_setting('fsync')")) {
                rs.next();
                assertThat(url).endsWith("/" + rs.getString(1));
                assertThat(rs.getString(2)).isEqualTo("off");
            }
            assertThat(client.health().get("locked").asInt()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> client.health().get("locked").asInt() == 0);

        compose("down", "--remove-orphans");
        try (DockerClient docker = DockerEngine.client()) {
            assertThat(DockerEngine.containersOfPool(docker, POOL)).as("pool containers after down").isEmpty();
            assertThat(docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of("com.docker.compose.project", PROJECT)).exec()).isEmpty();
        }
        env = null;
    }

    private static String containerHealth() throws Exception {
        return run(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", PROJECT + "_lock-service_1")).strip();
    }

    private static void compose(String... args) throws Exception {
        List<String> command = new ArrayList<>(composeCommand());
        command.addAll(List.of("-p", PROJECT, "-f", ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        run(command);
    }

    private static List<String> composeCommand() {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, "docker-compose"))) {
                return List.of("docker-compose");
            }
        }
        return List.of("docker", "compose");
    }

    private static String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    private static String dockerGid() throws IOException {
        Path socket = Path.of("/var/run/docker.sock");
        return Files.exists(socket) ? Files.getAttribute(socket, "unix:gid").toString() : "0";
    }
}
