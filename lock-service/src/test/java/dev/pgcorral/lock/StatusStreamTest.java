package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/** The live pool snapshot on STOMP topic /topic/status at /ws, through the public port. */
class StatusStreamTest extends PoolTestBase {

    @Test
    void snapshotsArrivePeriodicallyAndSoonAfterAChange() throws Exception {
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
            Map<String, Object> first = snapshots.poll(3, TimeUnit.SECONDS);
            assertThat(first).as("a periodic snapshot").isNotNull();
            assertThat(counts(first)).containsEntry("total", TOTAL).containsEntry("locked", 0);
            assertThat(first).containsKeys("templateHash", "instances", "databases", "waiters", "stats");

            snapshots.clear();
            long before = System.nanoTime();
            try (PgflockConnection lock = PgflockConnection.lock(port, "watched", PASSWORD)) {
                lock.firstLine();
                Map<String, Object> seen;
                do {
                    seen = snapshots.poll(2, TimeUnit.SECONDS);
                    assertThat(seen).as("a snapshot showing the lock").isNotNull();
                } while (!Integer.valueOf(1).equals(counts(seen).get("locked")));
                assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
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
