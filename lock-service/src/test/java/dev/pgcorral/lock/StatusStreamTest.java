package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * The live pool snapshot on STOMP topic /topic/status at /ws, through the public port. How soon a change
 * shows is a latency, for benchmarks to measure; a test only asserts that it shows.
 */
class StatusStreamTest extends PoolTestBase {

    @Test
    void snapshotsArrivePeriodicallyAndAfterAChange() throws Exception {
        WebSocketStompClient stomp = new WebSocketStompClient(new StandardWebSocketClient());
        stomp.setMessageConverter(new JacksonJsonMessageConverter());
        BlockingQueue<Map<String, Object>> snapshots = new LinkedBlockingQueue<>();
        StompSession session = stomp.connectAsync("ws://127.0.0.1:" + port + "/ws", new StompSessionHandlerAdapter() { })
                .get(10, TimeUnit.SECONDS);
        try {
            session.subscribe("/topic/status", new StompFrameHandler() {
                @Override
                public Type getPayloadType(StompHeaders headers) {
                    return Map.class;
                }

                @Override
                @SuppressWarnings("unchecked")
                public void handleFrame(StompHeaders headers, Object payload) {
                    snapshots.add((Map<String, Object>) payload);
                }
            });
            Map<String, Object> first = snapshots.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("a periodic snapshot").isNotNull();
            assertThat(counts(first)).containsEntry("total", TOTAL).containsEntry("locked", 0);
            assertThat(first).containsKeys("templateHash", "instances", "databases", "waiters", "stats");

            snapshots.clear();
            try (PgflockConnection lock = PgflockConnection.lock(port, "watched", PASSWORD)) {
                lock.firstLine();
                AtomicReference<Map<String, Object>> showingTheLock = new AtomicReference<>();
                await("a snapshot showing the lock").atMost(Duration.ofSeconds(30)).until(() -> {
                    Map<String, Object> next = snapshots.poll(1, TimeUnit.SECONDS);
                    if (next != null && Integer.valueOf(1).equals(counts(next).get("locked"))) {
                        showingTheLock.set(next);
                    }
                    return showingTheLock.get() != null;
                });
                Map<String, Object> seen = showingTheLock.get();
                assertThat(seen.get("databases").toString()).contains("marker=watched").doesNotContain(":" + PASSWORD + "@");
            }
        } finally {
            session.disconnect();
            stomp.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> counts(Map<String, Object> snapshot) {
        return (Map<String, Object>) snapshot.get("counts");
    }
}
