package dev.pgcorral.common.status;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.messaging.simp.SimpMessagingTemplate;

/**
 * Publishes the service's {@link StatusSource} snapshot on {@value #TOPIC}: at least every
 * {@value #PERIOD_MS} ms, and soon after every {@link #changed()} (bursts of changes are coalesced
 * into one message at most every {@value #COALESCE_MS} ms).
 */
public class StatusBroadcaster implements SmartLifecycle {

    public static final String TOPIC = "/topic/status";
    static final long PERIOD_MS = 500;
    static final long COALESCE_MS = 50;

    private static final Logger log = LoggerFactory.getLogger(StatusBroadcaster.class);

    private final SimpMessagingTemplate messaging;
    private final StatusSource source;
    private final AtomicBoolean pending = new AtomicBoolean();
    private ScheduledExecutorService scheduler;

    public StatusBroadcaster(SimpMessagingTemplate messaging, StatusSource source) {
        this.messaging = messaging;
        this.source = source;
    }

    /** Something shown in the snapshot changed. Cheap; never blocks. */
    public void changed() {
        ScheduledExecutorService s = scheduler;
        if (s != null && pending.compareAndSet(false, true)) {
            s.schedule(this::publish, COALESCE_MS, TimeUnit.MILLISECONDS);
        }
    }

    void publish() {
        pending.set(false);
        try {
            messaging.convertAndSend(TOPIC, source.snapshot());
        } catch (RuntimeException e) {
            log.warn("cannot publish the status snapshot: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "status-broadcaster");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(this::publish, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
