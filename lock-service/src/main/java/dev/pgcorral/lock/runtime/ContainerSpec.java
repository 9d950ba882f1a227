package dev.pgcorral.lock.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;

import dev.pgcorral.lock.LockProperties;

/**
 * What an instance's PostgreSQL container is made of: the image, the pool's labels, the server's settings as
 * {@code -c} options, its data on a tmpfs, the limits and the network or published port the configuration asks for.
 */
final class ContainerSpec {

    private static final String DATA = "/var/lib/postgresql/data";

    private ContainerSpec() {
    }

    /** The create command of instance {@code index}; {@code clientPort} 0: any free port is published. */
    static CreateContainerCmd create(DockerClient client, LockProperties properties, int index, int clientPort) {
        LockProperties.Docker docker = properties.runtime().docker();
        List<String> command = new ArrayList<>(List.of("postgres"));
        Map<String, String> settings = properties.runtime().serverSettings();
        if (docker.hostNetwork()) {
            settings.put("port", Integer.toString(clientPort));
        }
        settings.forEach((name, value) -> {
            command.add("-c");
            command.add(name + "=" + value);
        });
        HostConfig host = HostConfig.newHostConfig()
                .withTmpFs(Map.of(DATA, "rw,size=" + docker.tmpfsSize().toBytes()))
                .withShmSize(docker.shmSize().toBytes());
        if (docker.cpus() > 0) {
            host.withNanoCPUs((long) (docker.cpus() * 1_000_000_000L));
        }
        if (docker.memory() != null) {
            host.withMemory(docker.memory().toBytes());
        }
        ExposedPort pg = ExposedPort.tcp(5432);
        if (docker.hostNetwork()) {
            host.withNetworkMode("host");
        } else {
            Ports ports = new Ports();
            ports.bind(pg, clientPort == 0 ? Ports.Binding.bindIp(docker.publishHost())
                    : Ports.Binding.bindIpAndPort(docker.publishHost(), clientPort));
            host.withPortBindings(ports);
            if (docker.network() != null && !docker.network().isBlank()) {
                host.withNetworkMode(docker.network());
            }
        }
        return client.createContainerCmd(docker.effectiveImage())
                .withName("pgcorral-" + docker.poolName() + "-" + index)
                .withLabels(Map.of(DockerRuntime.POOL_LABEL, docker.poolName(), DockerRuntime.INSTANCE_LABEL, Integer.toString(index)))
                .withEnv("POSTGRES_USER=" + properties.user(), "POSTGRES_PASSWORD=" + properties.password(),
                        "POSTGRES_DB=postgres", "PGDATA=" + DATA)
                .withExposedPorts(pg)
                .withHostConfig(host)
                .withCmd(command);
    }
}
