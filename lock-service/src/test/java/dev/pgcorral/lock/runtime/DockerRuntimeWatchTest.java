package dev.pgcorral.lock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.pgcorral.lock.LockProperties;

/**
 * How the docker runtime notices a dead container, against the real engine: the events alone (also
 * after dockerd restarted and ended their stream), the interval check alone, and both at once
 * reporting a death once.
 */
class DockerRuntimeWatchTest {

    static final String POOL = "pgcorral-watch-test";

    static DockerClient docker;
    DockerRuntime runtime;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
        docker = DockerEngine.client();
    }

    @AfterAll
    static void closeClient() throws Exception {
        if (docker != null) {
            Dockerd.ensureRunning();
            DockerEngine.containersOfPool(docker, POOL)
                    .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec());
            docker.close();
        }
    }

    @AfterEach
    void stopRuntime() {
        if (runtime != null) {
            Dockerd.ensureRunning();
            runtime.close();
            DockerEngine.containersOfPool(docker, POOL)
                    .forEach(c -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec());
        }
    }

    @Test
    void aDeathSeenByTheEventsAndByTheCheckIsReportedOnce() {
        PostgresInstance instance = startOne(true, "1h");
        AtomicInteger deaths = countDeaths(instance);
        String id = containerId();
        await().atMost(Duration.ofSeconds(30)).until(runtime::watchingEvents);

        docker.killContainerCmd(id).exec();
        await().atMost(Duration.ofSeconds(30)).until(() -> deaths.get() == 1);
        runtime.checkContainers();
        assertThat(deaths).hasValue(1);
        assertThat(instance.isAlive()).isFalse();

        instance.stop();
        instance.start();
        assertThat(containerId()).isNotEqualTo(id);
        docker.killContainerCmd(containerId()).exec();
        await().atMost(Duration.ofSeconds(30)).until(() -> deaths.get() == 2);
    }

    @Test
    void theIntervalCheckAloneNoticesADeath() {
        PostgresInstance instance = startOne(false, "200ms");
        AtomicInteger deaths = countDeaths(instance);

        docker.killContainerCmd(containerId()).exec();
        await().atMost(Duration.ofSeconds(30)).until(() -> deaths.get() == 1);
        assertThat(instance.isAlive()).isFalse();
    }

    /**
     * No interval check here. Without live-restore the containers stop with dockerd: a death, seen
     * either as an event before the stream ends or by the look the runtime takes when it has
     * subscribed again. Once subscribed again nothing but the events looks, so the second death
     * proves that the stream is back.
     */
    @Test
    void deathsAreNoticedThroughTheEventsAfterDockerdRestarts() {
        Dockerd.requireRestartable();
        PostgresInstance instance = startOne(true, "0s");
        AtomicInteger deaths = countDeaths(instance);
        await().atMost(Duration.ofSeconds(30)).until(runtime::watchingEvents);

        Dockerd.restart();
        await().atMost(Duration.ofSeconds(60)).until(() -> deaths.get() == 1);

        instance.stop();
        instance.start();
        await().atMost(Duration.ofSeconds(60)).until(runtime::watchingEvents);
        docker.killContainerCmd(containerId()).exec();
        await().atMost(Duration.ofSeconds(30)).until(() -> deaths.get() == 2);
        assertThat(instance.isAlive()).isFalse();
    }

    /**
     * A container of the instance that the runtime does not hold (made by a create whose call ran out of time while the
     * engine still made it) takes the instance's name: the next start removes it rather than be refused for good.
     */
    @Test
    void aStartRemovesAContainerOfItsInstanceItDoesNotHold() {
        PostgresInstance instance = startOne(false, "0s");
        String held = containerId();
        instance.stop();
        String stray = docker.createContainerCmd(DockerEngine.POSTGRES_IMAGE).withName("pgcorral-" + POOL + "-1")
                .withLabels(Map.of(DockerRuntime.POOL_LABEL, POOL, DockerRuntime.INSTANCE_LABEL, "1")).exec().getId();

        instance.start();
        assertThat(instance.isAlive()).isTrue();
        assertThat(containerId()).isNotIn(held, stray);
        assertThat(DockerEngine.containersOfPool(docker, POOL)).extracting(Container::getId).doesNotContain(stray);
    }

    private PostgresInstance startOne(boolean events, String checkInterval) {
        LockProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "pgcorral.lock.instances", "1",
                "pgcorral.lock.runtime.type", "docker",
                "pgcorral.lock.runtime.docker.image", DockerEngine.POSTGRES_IMAGE,
                "pgcorral.lock.runtime.docker.pool-name", POOL,
                "pgcorral.lock.runtime.docker.publish-host", "127.0.0.1",
                "pgcorral.lock.runtime.docker.tmpfs-size", "256MB",
                "pgcorral.lock.runtime.docker.check-interval", checkInterval)))
                .bind("pgcorral.lock", LockProperties.class).get();
        runtime = new DockerRuntime(properties, events);
        PostgresInstance instance = runtime.create(1).get(0);
        instance.start();
        assertThat(instance.isAlive()).isTrue();
        return instance;
    }

    private static AtomicInteger countDeaths(PostgresInstance instance) {
        AtomicInteger deaths = new AtomicInteger();
        instance.onUnexpectedExit(deaths::incrementAndGet);
        return deaths;
    }

    private static String containerId() {
        return DockerEngine.containersOfPool(docker, POOL).stream()
                .filter(c -> "running".equals(c.getState())).map(Container::getId)
                .reduce((a, b) -> {
                    throw new IllegalStateException("more than one running container of " + POOL);
                })
                .orElseThrow(() -> new IllegalStateException("no running container of " + POOL));
    }
}
