package dev.pgcorral.lock.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.NetworkSettings;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Readiness;
import dev.pgcorral.lock.LockProperties;

/**
 * One PostgreSQL container per instance, through the Docker engine ({@code DOCKER_HOST} or the local
 * socket). Containers carry labels naming the pool and the instance: at start, those left by an
 * earlier run are removed (or adopted when configured), and only they are ever removed. Data lives on
 * a tmpfs in the container. Any image that follows the official {@code postgres} image's contract works.
 *
 * <p>A container that dies is noticed by the {@link DeathWatch} (events and a look every
 * {@code check-interval}); each death is reported once to the instance's
 * {@link PostgresInstance#onUnexpectedExit} listeners.
 */
public final class DockerRuntime implements PostgresRuntime, Closeable {

    static final String POOL_LABEL = "dev.pgcorral.pool";
    static final String INSTANCE_LABEL = "dev.pgcorral.instance";
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** How long one call to the Docker engine (create, start, inspect, remove, list) may take before it counts as failed. */
    private static final Duration CALL_LIMIT = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    private final LockProperties properties;
    private final LockProperties.Docker docker;
    private final DockerClient client;
    private final EngineCalls calls = new EngineCalls(CALL_LIMIT);
    private final boolean watchEvents;
    private final List<DockerInstance> instances = new CopyOnWriteArrayList<>();
    private final DeathWatch deaths;

    public DockerRuntime(LockProperties properties) {
        this(properties, true);
    }

    /** @param watchEvents false leaves deaths to the interval check alone (tests of that check) */
    DockerRuntime(LockProperties properties, boolean watchEvents) {
        this.properties = properties;
        this.watchEvents = watchEvents;
        this.docker = properties.runtime().docker();
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        this.client = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofMinutes(2)) // reaches a tcp:// engine only: EngineCalls bounds every call
                .build());
        this.deaths = new DeathWatch(client, docker.poolName(), instances, this::ours);
    }

    @Override
    public String type() {
        return "docker";
    }

    @Override
    public List<PostgresInstance> create(int count) {
        try {
            calls.run("ping", () -> client.pingCmd().exec());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the docker runtime cannot reach a Docker engine (" + e.getMessage()
                    + "); start dockerd, set DOCKER_HOST, or use pgcorral.lock.runtime.type=local", e);
        }
        String image = docker.effectiveImage();
        try {
            calls.run("inspect image " + image, () -> client.inspectImageCmd(image).exec());
        } catch (NotFoundException e) {
            log.info("pulling image {}", image);
            try {
                client.pullImageCmd(image).start().awaitCompletion();
            } catch (RuntimeException | InterruptedException pullFailure) {
                throw new IllegalStateException("image " + image + " is not here and cannot be pulled ("
                        + pullFailure.getMessage() + "); set pgcorral.lock.runtime.docker.image to an image you have", pullFailure);
            }
        }
        Map<Integer, Container> leftovers = new LinkedHashMap<>();
        for (Container c : ours()) {
            String index = c.getLabels().get(INSTANCE_LABEL);
            boolean adoptable = docker.adopt() && "running".equals(c.getState()) && index != null
                    && index.matches("\\d+") && Integer.parseInt(index) <= count && image.equals(c.getImage());
            if (adoptable) {
                leftovers.put(Integer.parseInt(index), c);
            } else {
                log.info("removing container {} left by an earlier run of pool '{}'", name(c), docker.poolName());
                remove(c.getId());
            }
        }
        for (int i = 1; i <= count; i++) {
            Container adopted = leftovers.get(i);
            instances.add(new DockerInstance(i, adopted == null ? null : adopted.getId()));
        }
        deaths.start(watchEvents, docker.checkInterval());
        return List.copyOf(instances);
    }

    /** The containers labelled as this pool's, running or not. */
    List<Container> ours() {
        return calls.answer("list the pool's containers", () -> client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(POOL_LABEL, docker.poolName())).exec());
    }

    /** The event stream is open and the look that follows each subscription has been taken. */
    boolean watchingEvents() {
        return deaths.watchingEvents();
    }

    /** One look at the containers now (see {@link DeathWatch#checkContainers()}). */
    void checkContainers() {
        deaths.checkContainers();
    }

    @Override
    public void close() {
        deaths.close();
        calls.close();
        try {
            client.close();
        } catch (IOException e) {
            log.debug("closing the Docker client: {}", e.getMessage());
        }
    }

    private void remove(String id) {
        try {
            calls.run("remove container " + shortId(id), () -> client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec());
        } catch (NotFoundException ignored) {
            // already gone
        }
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].replaceFirst("^/", "");
    }

    private final class DockerInstance implements PostgresInstance, DeathWatch.Watched {

        private final int index;
        private final List<Runnable> deathListeners = new CopyOnWriteArrayList<>();
        private volatile String containerId;
        /** Up, as far as we know; cleared exactly once per death, by whoever reports it. */
        private final AtomicBoolean alive = new AtomicBoolean();
        /** The last container whose death was reported: a container is reported at most once. */
        private volatile String reportedDead;
        private volatile boolean stopping;
        private volatile String adminHost;
        private volatile int adminPort = 5432;
        private volatile int clientPort;
        private volatile int majorVersion;
        private volatile String version = "?";

        DockerInstance(int index, String adoptedId) {
            this.index = index;
            this.containerId = adoptedId;
            if (docker.hostNetwork() || properties.startingPort() != 0) {
                clientPort = properties.startingPort() == 0 ? 5432 + index - 1 : properties.startingPort() + index - 1;
            }
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public int port() {
            return clientPort;
        }

        @Override
        public int majorVersion() {
            return majorVersion;
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public ConnectionDetails adminDetails(String database) {
            return new ConnectionDetails(adminHost, adminPort, database, properties.user(), properties.password());
        }

        @Override
        public ConnectionDetails clientDetails(String database) {
            return new ConnectionDetails(docker.advertisedHost(), clientPort, database, properties.user(), properties.password());
        }

        @Override
        public synchronized void start() {
            stopping = false;
            if (containerId != null && (containerId.equals(reportedDead) || !isRunning(containerId))) {
                remove(containerId);
                containerId = null;
            }
            if (containerId == null) {
                removeStrays();
                containerId = createContainer();
                String created = containerId;
                calls.run("start container " + shortId(created), () -> client.startContainerCmd(created).exec());
            } else {
                log.info("adopting running container {} for instance {}", containerId.substring(0, 12), index);
            }
            String started = containerId;
            locate(calls.answer("inspect container " + shortId(started), () -> client.inspectContainerCmd(started).exec()));
            try {
                // a fresh container initialises and starts in seconds; one whose port never answers is replaced sooner
                Readiness.await(adminDetails("postgres"), () -> isRunning(containerId), READY_WITHIN);
            } catch (IllegalStateException e) {
                String logs = logs(20);
                remove(containerId);
                containerId = null;
                throw new IllegalStateException("PostgreSQL container of instance " + index + " did not start: "
                        + e.getMessage() + "\n" + logs, e);
            }
            readVersion();
            alive.set(true);
            if (!isRunning(containerId)) {
                died(containerId); // it died while starting, when a 'die' event was not yet taken as a death
            }
            log.info("PostgreSQL {} in container {} ({}) ready for instance {}: clients use {}:{}", version,
                    containerId.substring(0, 12), docker.effectiveImage(), index, docker.advertisedHost(), clientPort);
        }

        /**
         * Removes containers of this instance the runtime does not hold: one a create made although its call ran out of time
         * (the engine answered late) would take the container's name, and every create after it would be refused.
         */
        private void removeStrays() {
            for (Container stray : ours()) {
                if (Integer.toString(index).equals(stray.getLabels().get(INSTANCE_LABEL))) {
                    log.info("removing container {} of instance {}, which this runtime does not hold", name(stray), index);
                    remove(stray.getId());
                }
            }
        }

        private String createContainer() {
            CreateContainerCmd create = ContainerSpec.create(client, properties, index, clientPort);
            return calls.answer("create the container of instance " + index, () -> create.exec().getId());
        }

        /** Where pgcorral reaches the server (the container's address) and where clients do (the published port). */
        private void locate(InspectContainerResponse inspected) {
            if (docker.hostNetwork()) {
                adminHost = "127.0.0.1";
                adminPort = clientPort;
                return;
            }
            NetworkSettings network = inspected.getNetworkSettings();
            String ip = network.getNetworks().values().stream().map(n -> n.getIpAddress())
                    .filter(a -> a != null && !a.isBlank()).findFirst().orElse(null);
            PortBinding published = network.getPorts().getBindings().entrySet().stream()
                    .filter(e -> e.getKey().getPort() == 5432 && e.getValue() != null && e.getValue().length > 0)
                    .map(e -> new PortBinding(e.getValue()[0], e.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("container of instance " + index + " publishes no port"));
            clientPort = Integer.parseInt(published.getBinding().getHostPortSpec());
            if (ip != null) {
                adminHost = ip;
                adminPort = 5432;
            } else {
                adminHost = "127.0.0.1";
                adminPort = clientPort;
            }
        }

        private void readVersion() {
            try (var c = connect("postgres"); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('server_version')")) {
                rs.next();
                majorVersion = rs.getInt(1) / 10000;
                version = rs.getString(2).split(" ")[0];
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot read the server version of instance " + index + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void stop() {
            stopping = true;
            alive.set(false);
            if (containerId != null) {
                remove(containerId);
                containerId = null;
            }
        }

        @Override
        public synchronized void shutdown() {
            if (docker.keepContainers()) {
                stopping = true;
                alive.set(false);
                containerId = null;
            } else {
                stop();
            }
        }

        @Override
        public boolean isAlive() {
            return alive.get();
        }

        /** The container of a server believed up, else null. */
        @Override
        public String upContainer() {
            String id = containerId;
            return alive.get() && !stopping ? id : null;
        }

        @Override
        public void onUnexpectedExit(Runnable listener) {
            deathListeners.add(listener);
        }

        /** Container {@code id} is not running: if it is this instance's, up and not being stopped, a death to report, once. */
        @Override
        public void died(String id) {
            if (id == null || !id.equals(containerId) || stopping || id.equals(reportedDead)) {
                return;
            }
            if (alive.compareAndSet(true, false)) {
                reportedDead = id;
                deathListeners.forEach(Runnable::run); // first: reading the logs can take seconds
                log.warn("the PostgreSQL container of instance {} died; last log lines:\n{}", index, logs(20));
            }
        }

        @Override
        public String logs(int lines) {
            String id = containerId;
            if (id == null) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            try {
                client.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
                        .exec(new ResultCallback.Adapter<Frame>() {
                            @Override
                            public void onNext(Frame frame) {
                                out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }).awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (RuntimeException e) {
                return "(logs unavailable: " + e.getMessage() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return out.toString().stripTrailing();
        }

        private boolean isRunning(String id) {
            try {
                Boolean running = calls.answer("inspect container " + shortId(id), () -> client.inspectContainerCmd(id).exec()).getState().getRunning();
                return Boolean.TRUE.equals(running);
            } catch (NotFoundException e) {
                return false;
            }
        }
    }
}
