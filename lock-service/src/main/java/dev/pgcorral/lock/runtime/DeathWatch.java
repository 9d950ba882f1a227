package dev.pgcorral.lock.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;

/**
 * Notices the pool's containers dying, two ways: the engine's {@code die} events (subscribed again,
 * with back-off, whenever the stream ends, e.g. when dockerd restarts) and a look at the containers
 * every check interval, which also runs after every re-subscription. It tells the instances; each
 * reports a death once.
 */
final class DeathWatch implements Closeable {

    /** What the watch asks of an instance. */
    interface Watched {

        /** The container of a server believed up, else null. */
        String upContainer();

        /** Container {@code id} is not running (a death if it is this instance's and it was up). */
        void died(String id);
    }

    private static final Logger log = LoggerFactory.getLogger(DeathWatch.class);
    private static final Duration FIRST_RESUBSCRIBE_DELAY = Duration.ofMillis(250);
    private static final Duration MAX_RESUBSCRIBE_DELAY = Duration.ofSeconds(10);

    private final DockerClient client;
    private final String poolName;
    private final List<? extends Watched> instances;
    private final Supplier<List<Container>> ours;
    /** Re-subscriptions (with their back-off) and the interval check. */
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pgcorral-docker-watch");
        t.setDaemon(true);
        return t;
    });
    private final Object subscriptionLock = new Object();
    private EventSubscription events;
    private volatile boolean closed;
    private volatile boolean engineUnreachable;

    /**
     * @param instances the instances, as they are added
     * @param ours      lists the pool's containers, running or not
     */
    DeathWatch(DockerClient client, String poolName, List<? extends Watched> instances, Supplier<List<Container>> ours) {
        this.client = client;
        this.poolName = poolName;
        this.instances = instances;
        this.ours = ours;
    }

    /** Starts watching: the events unless {@code events} is false, and a look every {@code interval} unless it is zero. */
    void start(boolean events, Duration interval) {
        if (events) {
            subscribe(FIRST_RESUBSCRIBE_DELAY);
        }
        if (!interval.isZero() && !interval.isNegative()) {
            watcher.scheduleWithFixedDelay(this::checkContainers, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Subscribes to this pool's {@code die} events. When the stream ends or fails (dockerd restarted,
     * the connection dropped), subscribes again after {@code retryDelay}, doubling up to
     * {@link #MAX_RESUBSCRIBE_DELAY} while the engine cannot be reached; never after {@link #close()}.
     */
    private void subscribe(Duration retryDelay) {
        synchronized (subscriptionLock) {
            if (closed) {
                return;
            }
            try {
                events = client.eventsCmd()
                        .withLabelFilter(Map.of(DockerRuntime.POOL_LABEL, poolName))
                        .withEventFilter("die")
                        .exec(new EventSubscription(retryDelay));
            } catch (RuntimeException e) {
                log.debug("cannot subscribe to the Docker engine's events ({}); trying again", e.getMessage());
                resubscribeLater(retryDelay, min(retryDelay.multipliedBy(2), MAX_RESUBSCRIBE_DELAY));
            }
        }
    }

    private void resubscribeLater(Duration wait, Duration next) {
        try {
            watcher.schedule(() -> subscribe(next), wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException afterClose) {
            // closing
        }
    }

    /** One subscription to the event stream: reports deaths, and starts the next one when it ends. */
    private final class EventSubscription extends ResultCallback.Adapter<Event> {

        private final Duration retryDelay;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean opened;
        private volatile boolean watching;
        private volatile boolean cancelled;

        EventSubscription(Duration retryDelay) {
            this.retryDelay = retryDelay;
        }

        @Override
        public void onStart(Closeable stream) {
            super.onStart(stream);
            opened = true;
            if (cancelled || closed) {
                cancel();
                return;
            }
            log.debug("subscribed to the Docker engine's events");
            // deaths while no stream was open (dockerd restarting) are found by looking, before the
            // first event is read
            checkContainers();
            watching = true;
        }

        @Override
        public void onNext(Event event) {
            for (Watched instance : instances) {
                instance.died(event.getId());
            }
        }

        @Override
        public void onComplete() {
            ended(null);
        }

        @Override
        public void onError(Throwable error) {
            ended(error);
        }

        private void ended(Throwable error) {
            try {
                super.close();
            } catch (IOException ignored) {
                // the stream is gone either way
            }
            if (cancelled || closed || !ended.compareAndSet(false, true)) {
                return;
            }
            Duration next = opened ? FIRST_RESUBSCRIBE_DELAY : min(retryDelay.multipliedBy(2), MAX_RESUBSCRIBE_DELAY);
            Duration wait = opened ? FIRST_RESUBSCRIBE_DELAY : retryDelay;
            if (opened) {
                log.warn("the Docker engine's event stream ended{}; subscribing again", error == null ? "" : " (" + error.getMessage() + ")");
            } else {
                log.debug("cannot subscribe to the Docker engine's events ({}); trying again in {} ms",
                        error == null ? "stream ended" : error.getMessage(), wait.toMillis());
            }
            resubscribeLater(wait, next);
        }

        void cancel() {
            cancelled = true;
            try {
                super.close();
            } catch (IOException e) {
                log.debug("closing the event stream: {}", e.getMessage());
            }
        }
    }

    /** The event stream is open and the look that follows each subscription has been taken. */
    boolean watchingEvents() {
        synchronized (subscriptionLock) {
            return events != null && events.watching && !events.ended.get();
        }
    }

    /**
     * Looks at the pool's containers: one that an instance believes up but is not running (or is gone)
     * is a death. Only instances that were up before the look are judged, so a container started
     * meanwhile is not mistaken for a dead one. An unreachable engine proves nothing: judged next time.
     */
    void checkContainers() {
        if (closed) {
            return;
        }
        Map<Watched, String> up = new LinkedHashMap<>();
        for (Watched instance : instances) {
            String id = instance.upContainer();
            if (id != null) {
                up.put(instance, id);
            }
        }
        if (up.isEmpty()) {
            return;
        }
        Set<String> running;
        try {
            running = ours.get().stream().filter(c -> "running".equals(c.getState())).map(Container::getId).collect(Collectors.toSet());
        } catch (RuntimeException e) {
            if (!engineUnreachable) {
                engineUnreachable = true;
                log.warn("cannot look at the PostgreSQL containers: the Docker engine does not answer ({})", e.getMessage());
            }
            return;
        }
        if (engineUnreachable) {
            engineUnreachable = false;
            log.info("the Docker engine answers again");
        }
        up.forEach((instance, id) -> {
            if (!running.contains(id)) {
                instance.died(id);
            }
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        synchronized (subscriptionLock) {
            closed = true;
            if (events != null) {
                events.cancel();
            }
        }
        watcher.shutdownNow();
    }
}
