package dev.pgcorral.lock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * An engine that takes a request and never answers (a Unix socket that accepts and stays silent): docker-java's own
 * response timeout does not end the call, EngineCalls does; and a real engine's answers, errors included, pass as they are.
 */
class EngineCallsTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void aCallTheEngineNeverAnswersFailsAfterTheLimitNamingIt() throws Exception {
        Path socket = dir.resolve("silent-docker.sock");
        List<SocketChannel> taken = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        taken.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (DockerClient silentEngine = client("unix://" + socket, Duration.ofSeconds(1));
                 EngineCalls calls = new EngineCalls(Duration.ofSeconds(1))) {
                // docker-java alone: still waiting well past its response timeout of 1 s
                CompletableFuture<Void> unbounded = CompletableFuture.runAsync(() -> silentEngine.pingCmd().exec());
                assertThatThrownBy(() -> unbounded.get(3, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

                assertThatThrownBy(() -> calls.run("ping", () -> silentEngine.pingCmd().exec()))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("the Docker engine did not answer (ping) within 1 s");
            }
        } finally {
            for (SocketChannel channel : taken) {
                channel.close();
            }
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void aRealEngineAnswersAndItsErrorsPassAsTheyAre() {
        DockerEngine.require();
        DockerClient engine = DockerEngine.client();
        try (EngineCalls calls = new EngineCalls(Duration.ofSeconds(30))) {
            assertThat(calls.answer("version", () -> engine.versionCmd().exec()).getApiVersion()).isNotBlank();
            assertThatThrownBy(() -> calls.answer("inspect", () -> engine.inspectContainerCmd("pgcorral-no-such-container").exec()))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    private static DockerClient client(String host, Duration responseTimeout) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(1)).responseTimeout(responseTimeout).build());
    }
}
