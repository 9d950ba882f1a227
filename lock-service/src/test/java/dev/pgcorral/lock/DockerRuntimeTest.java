package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.runtime.DockerEngine;

/**
 * The docker runtime against the real Docker engine: one PostgreSQL container per instance, leftovers
 * of a killed run removed (and only ours), a killed container noticed and replaced, restart recreating
 * the containers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.lock.port=0",
        "pgcorral.lock.runtime.type=docker",
        "pgcorral.lock.runtime.docker.pool-name=" + DockerRuntimeTest.POOL,
        "pgcorral.lock.runtime.docker.publish-host=127.0.0.1",
        "pgcorral.lock.runtime.docker.tmpfs-size=256MB",
        "pgcorral.lock.instances=2",
        "pgcorral.lock.databases-per-instance=2",
        "pgcorral.lock.template.extensions=pg_trgm",
        "pgcorral.lock.template.migrations=classpath:db/testmigration",
        "pgcorral.lock.template.watch-interval=0s"})
@DirtiesContext
class DockerRuntimeTest {

    static final String POOL = "pgcorral-test";
    static final String OTHER_POOL = "somebody-else";

    @DynamicPropertySource
    static void image(DynamicPropertyRegistry registry) {
        registry.add("pgcorral.lock.runtime.docker.image", () -> DockerEngine.POSTGRES_IMAGE);
    }

    static DockerClient docker;
    static String leftover;
    static String foreign;

    @Autowired
    Pool pool;
    @Autowired
    LockConfiguration.FrontPort front;
    LockServiceClient client;

    /** What a killed lock-service leaves behind, and a container of another pool that must survive. */
    @BeforeAll
    static void leaveContainersBehind() {
        DockerEngine.require();
        docker = DockerEngine.client();
        leftover = createLabelled(POOL, "pgcorral-test-leftover");
        foreign = createLabelled(OTHER_POOL, "pgcorral-test-foreign");
    }

    @AfterAll
    static void removeForeign() throws Exception {
        if (docker != null) {
            docker.removeContainerCmd(foreign).withForce(true).withRemoveVolumes(true).exec();
            docker.close();
        }
    }

    @BeforeEach
    void connectClient() {
        client = new LockServiceClient(front.port(), "pgflock");
    }

    @AfterEach
    void leavePoolFull() {
        pool.releaseAll();
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.status().counts().free() == 4);
    }

    @Test
    void leftoversOfOurPoolAreRemovedAndOthersLeftAlone() {
        Set<String> ids = DockerEngine.containersOfPool(docker, POOL).stream().map(Container::getId).collect(Collectors.toSet());
        assertThat(ids).hasSize(2).doesNotContain(leftover);
        assertThat(DockerEngine.containersOfPool(docker, OTHER_POOL)).extracting(Container::getId).containsExactly(foreign);
    }

    @Test
    void aFullLockCycleOnContainersWithTheTemplatesMigrations() throws Exception {
        assertThat(pool.status().runtime()).isEqualTo("docker");
        try (PgflockConnection lock = PgflockConnection.lock(front.port(), "docker-test", "pgflock")) {
            String url = lock.firstLine();
            assertThat(url).startsWith("postgresql://tester:pgflock@localhost:");
            try (Connection db = PoolTestBase.connect(url); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM account), current_setting('fsync'), "
                         + "(SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo("off");
                assertThat(rs.getInt(3)).isEqualTo(1);
                st.execute("CREATE TABLE scratch (x int)");
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.status().counts().locked() == 0);
        var logs = client.apiGet("/api/v1/instances/1/logs?lines=20");
        assertThat(logs.status()).isEqualTo(200);
    }

    @Test
    void aKilledContainerEndsItsLeasesAndThePoolHeals() throws Exception {
        var lease = client.apiPost("/api/v1/leases", "{\"marker\":\"victim\"}").json();
        PgflockConnection stream = PgflockConnection.lock(front.port(), "victim-stream", "pgflock");
        stream.firstLine();
        int port = lease.get("port").asInt();
        Container victim = DockerEngine.containersOfPool(docker, POOL).stream()
                .filter(c -> List.of(c.getPorts()).stream().anyMatch(p -> p.getPublicPort() != null && p.getPublicPort() == port))
                .findFirst().orElseThrow();
        docker.killContainerCmd(victim.getId()).exec();

        await().atMost(Duration.ofSeconds(30)).until(() -> client.apiGet("/api/v1/leases/" + lease.get("id").asString()).status() == 410);
        assertThat(client.apiGet("/api/v1/leases/" + lease.get("id").asString()).json().get("detail").asString())
                .contains("PostgreSQL server died");
        await().atMost(Duration.ofSeconds(90)).until(() -> pool.status().counts().free() == 4 - pool.status().counts().locked());
        await().atMost(Duration.ofSeconds(90)).until(() -> pool.healthy() && "ok".equals(pool.status().status()));
        assertThat(DockerEngine.containersOfPool(docker, POOL)).hasSize(2).noneMatch(c -> c.getId().equals(victim.getId()));
        stream.close();
    }

    @Test
    void restartRecreatesTheContainers() {
        Set<String> before = DockerEngine.containersOfPool(docker, POOL).stream().map(Container::getId).collect(Collectors.toSet());
        var restart = client.post("/restart?marker=t&password=pgflock", "");
        assertThat(restart.status()).isEqualTo(200);
        Set<String> after = DockerEngine.containersOfPool(docker, POOL).stream().map(Container::getId).collect(Collectors.toSet());
        assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
        assertThat(pool.status().counts().free()).isEqualTo(4);
    }

    private static String createLabelled(String poolName, String name) {
        docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec()
                .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec());
        String id = docker.createContainerCmd(DockerEngine.POSTGRES_IMAGE)
                .withName(name)
                .withLabels(Map.of("dev.pgcorral.pool", poolName, "dev.pgcorral.instance", "1"))
                .withEnv("POSTGRES_PASSWORD=x")
                .exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }
}
