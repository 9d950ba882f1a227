package dev.pgcorral.ui.relay;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.converter.SimpleMessageConverter;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.messaging.WebSocketStompClient;

import dev.pgcorral.common.status.LiveStatusConfiguration;
import dev.pgcorral.common.status.StatusBroadcaster;
import dev.pgcorral.common.status.StatusSource;
import dev.pgcorral.ui.UiProperties;

/**
 * Keeps a STOMP subscription to every configured service's {@code /topic/status} and reconnects by
 * itself when a service goes away. Every page gets the services' states on web-ui's own
 * {@code /topic/status} (this relay is its {@link StatusSource}); a service's status snapshot is passed
 * on as received, without being parsed, on {@code /topic/status/<name>}, to the page that shows it.
 */
@Component
public class ServiceRelay implements StatusSource, SmartLifecycle {

    static final Duration RETRY = Duration.ofMillis(500);
    static final Duration DOWN_AFTER = Duration.ofSeconds(3);
    /**
     * A service's snapshots reach browsers at most this often (the newest one wins). A service publishes
     * on every change, up to 20 times a second; a person cannot follow more than a few updates a second,
     * and for a pool of 1,000 databases (a snapshot of 1.5 MB or more) a browser would spend its time
     * parsing instead of staying responsive.
     */
    static final Duration FORWARD_INTERVAL = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(ServiceRelay.class);

    private final UiProperties properties;
    private final SimpMessagingTemplate messaging;
    private final ObjectProvider<StatusBroadcaster> broadcasterProvider;
    private volatile StatusBroadcaster broadcaster;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    private WebSocketStompClient stomp;
    private volatile boolean running;

    /** The broadcaster publishes this relay's snapshot, so it comes through a provider (no cycle). */
    public ServiceRelay(UiProperties properties, SimpMessagingTemplate messaging, ObjectProvider<StatusBroadcaster> broadcaster) {
        this.properties = properties;
        this.messaging = messaging;
        this.broadcasterProvider = broadcaster;
    }

    /** Where a service's status snapshots are passed on to browsers. */
    public static String topic(String service) {
        return StatusBroadcaster.TOPIC + "/" + service;
    }

    /** Every service's view, in configured order. */
    @Override
    public Object snapshot() {
        return Map.of("services", views());
    }

    public List<ServiceView> views() {
        return properties.services().stream().map(s -> links.get(s.name())).filter(l -> l != null).map(Link::view).toList();
    }

    @Override
    public void start() {
        broadcaster = broadcasterProvider.getObject();
        scheduler.setPoolSize(2);
        scheduler.setThreadNamePrefix("relay-");
        scheduler.initialize();
        stomp = new WebSocketStompClient(new AssemblingWebSocketClient(LiveStatusConfiguration.MAX_MESSAGE_BYTES));
        stomp.setInboundMessageSizeLimit(LiveStatusConfiguration.MAX_MESSAGE_BYTES);
        stomp.setMessageConverter(new SimpleMessageConverter());
        stomp.setTaskScheduler(scheduler);
        stomp.setDefaultHeartbeat(new long[] {2000, 2000});
        running = true;
        for (UiProperties.Service service : properties.services()) {
            Link link = new Link(service);
            links.put(service.name(), link);
            link.connect();
        }
    }

    @Override
    public void stop() {
        running = false;
        links.values().forEach(Link::disconnect);
        if (stomp != null) {
            stomp.stop();
        }
        scheduler.shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One service's connection, state and newest snapshot. */
    private final class Link extends StompSessionHandlerAdapter {
        private final UiProperties.Service service;
        private final String topic;
        private volatile ServiceState state = ServiceState.RECONNECTING;
        private volatile Instant since = Instant.now();
        private volatile Instant lostAt = Instant.now();
        private volatile StompSession session;
        private volatile byte[] newest;
        private final AtomicBoolean forwardPending = new AtomicBoolean();
        private volatile long lastForward = System.nanoTime() - FORWARD_INTERVAL.toNanos();

        Link(UiProperties.Service service) {
            this.service = service;
            this.topic = topic(service.name());
        }

        ServiceView view() {
            return new ServiceView(service.name(), service.type(), service.url().toString(), state, since);
        }

        void connect() {
            if (!running) {
                return;
            }
            // the service's password, as web-ui's actions send it: migration-service asks for it off loopback
            WebSocketHttpHeaders handshake = new WebSocketHttpHeaders();
            handshake.set("Authorization", "Bearer " + (service.password() == null ? "" : service.password()));
            stomp.connectAsync(service.webSocket().toString(), handshake, this).whenComplete((s, failure) -> {
                if (failure != null) {
                    lost();
                }
            });
        }

        void disconnect() {
            StompSession s = session;
            if (s != null && s.isConnected()) {
                s.disconnect();
            }
        }

        @Override
        public void afterConnected(StompSession connected, StompHeaders headers) {
            session = connected;
            connected.subscribe(StatusBroadcaster.TOPIC, this);
            move(ServiceState.UP);
            log.info("following {} at {}", service.name(), service.url());
        }

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            if (payload == null) {
                return;
            }
            newest = (byte[]) payload;
            if (state != ServiceState.UP) {
                move(ServiceState.UP);
            }
            if (forwardPending.compareAndSet(false, true)) {
                long wait = Math.max(0, lastForward + FORWARD_INTERVAL.toNanos() - System.nanoTime());
                scheduler.getScheduledExecutor().schedule(this::forward, wait, TimeUnit.NANOSECONDS);
            }
        }

        /** Passes the newest snapshot on, as it came: JSON bytes. */
        private void forward() {
            forwardPending.set(false);
            lastForward = System.nanoTime();
            SimpMessageHeaderAccessor headers = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
            headers.setContentType(MimeTypeUtils.APPLICATION_JSON);
            headers.setLeaveMutable(true);
            try {
                messaging.send(topic, MessageBuilder.createMessage(newest, headers.getMessageHeaders()));
            } catch (RuntimeException e) {
                log.warn("cannot pass on the status of {}: {}", service.name(), e.toString());
            }
        }

        @Override
        public void handleException(StompSession s, StompCommand command, StompHeaders headers, byte[] payload, Throwable e) {
            log.debug("{}: {}", service.name(), e.toString());
        }

        @Override
        public void handleTransportError(StompSession s, Throwable e) {
            log.debug("{}: {}", service.name(), e.toString());
            if (s != null && s == session) {
                lost();
            }
        }

        /** The connection failed or ended: reconnecting at first, down after a while; retry soon. */
        private void lost() {
            session = null;
            if (state == ServiceState.UP) {
                lostAt = Instant.now();
                move(ServiceState.RECONNECTING);
                log.info("lost {} at {}, reconnecting", service.name(), service.url());
            } else if (state == ServiceState.RECONNECTING && Duration.between(lostAt, Instant.now()).compareTo(DOWN_AFTER) > 0) {
                move(ServiceState.DOWN);
            }
            if (running) {
                scheduler.getScheduledExecutor().schedule(this::connect, RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private void move(ServiceState next) {
            state = next;
            since = Instant.now();
            broadcaster.changed();
        }
    }
}
