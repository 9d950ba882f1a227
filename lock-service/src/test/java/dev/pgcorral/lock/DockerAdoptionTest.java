package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import dev.pgcorral.lock.pool.Pool;
import dev.pgcorral.lock.runtime.DockerEngine;
import dev.pgcorral.lock.runtime.DockerRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** keep-containers and adopt: a pool that stops leaves its containers, the next one takes them over. */
class DockerAdoptionTest {

    static final String POOL = "pgcorral-adopt-test";

    DockerClient docker;

    @BeforeEach
    void engine() {
        DockerEngine.require();
        docker = DockerEngine.client();
    }

    @AfterEach
    void removeContainers() throws Exception {
        for (Container c : DockerEngine.containersOfPool(docker, POOL)) {
            docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
        }
        docker.close();
    }

    @Test
    void keptContainersAreAdoptedByTheNextRun() {
        LockProperties properties = properties(true);
        Set<String> first = runPool(properties);
        assertThat(first).hasSize(1);
        assertThat(ids()).as("kept after shutdown").isEqualTo(first);

        Set<String> second = runPool(properties);
        assertThat(second).as("adopted, not recreated").isEqualTo(first);

        Set<String> third = runPool(properties(false));
        assertThat(third).hasSize(1).doesNotContainAnyElementsOf(first);
        assertThat(ids()).as("removed at shutdown").isEmpty();
    }

    /** Starts a pool, checks a database is handed out, stops it; returns the container ids it ran on. */
    private Set<String> runPool(LockProperties properties) {
        DockerRuntime runtime = new DockerRuntime(properties);
        Pool pool = new Pool(properties, runtime, new SimpleMeterRegistry());
        try {
            pool.start();
            assertThat(pool.status().counts().free()).isEqualTo(2);
            return ids();
        } finally {
            pool.close();
            runtime.close();
        }
    }

    private Set<String> ids() {
        return DockerEngine.containersOfPool(docker, POOL).stream().map(Container::getId).collect(Collectors.toSet());
    }

    private static LockProperties properties(boolean keepAndAdopt) {
        Map<String, String> values = Map.of(
                "pgcorral.lock.databases-per-instance", "2",
                "pgcorral.lock.template.watch-interval", "0s",
                "pgcorral.lock.runtime.type", "docker",
                "pgcorral.lock.runtime.docker.image", DockerEngine.POSTGRES_IMAGE,
                "pgcorral.lock.runtime.docker.pool-name", POOL,
                "pgcorral.lock.runtime.docker.publish-host", "127.0.0.1",
                "pgcorral.lock.runtime.docker.keep-containers", Boolean.toString(keepAndAdopt),
                "pgcorral.lock.runtime.docker.adopt", Boolean.toString(keepAndAdopt));
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("pgcorral.lock", LockProperties.class);
    }
}
