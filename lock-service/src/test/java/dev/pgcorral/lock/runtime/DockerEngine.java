package dev.pgcorral.lock.runtime;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * The real Docker engine for tests. Without an engine (or without the PostgreSQL image) the tests
 * are skipped on a developer's machine, and fail in CI ({@code CI} set), where .ci/run provides both.
 */
public final class DockerEngine {

    /** The PostgreSQL image tests use: built offline by scripts/build-offline-images. */
    public static final String POSTGRES_IMAGE = System.getenv().getOrDefault("PGCORRAL_TEST_POSTGRES_IMAGE",
            "pgcorral-offline/postgres:15");

    private DockerEngine() {
    }

    public static DockerClient client() {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    /** Skips (or in CI fails) the calling test unless the engine answers and has {@link #POSTGRES_IMAGE}. */
    public static void require() {
        String problem = null;
        try (DockerClient docker = client()) {
            docker.pingCmd().exec();
            docker.inspectImageCmd(POSTGRES_IMAGE).exec();
        } catch (Exception e) {
            problem = "Docker engine or image " + POSTGRES_IMAGE + " not available (" + e.getMessage()
                    + "); run scripts/build-offline-images with dockerd running";
        }
        if (problem != null) {
            if (System.getenv("CI") != null) {
                fail(problem);
            }
            Assumptions.abort(problem);
        }
    }

    public static List<Container> containersOfPool(DockerClient docker, String pool) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerRuntime.POOL_LABEL, pool)).exec();
    }
}
