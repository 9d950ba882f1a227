package dev.pgcorral.common.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.ContainerProvider;
import jakarta.websocket.WebSocketContainer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.messaging.converter.SimpleMessageConverter;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * The status endpoint of every service: {@code /ws} takes a browser only from its own origin or a
 * configured one (clients that send no origin, such as web-ui's relay, are not browsers), and
 * snapshots of a few MB reach a subscriber, several in a row, even one that is busy for a while,
 * without its connection being dropped.
 */
@SpringBootTest(classes = LiveStatusConfigurationTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "pgcorral.status.allowed-origins=https://dashboard.example")
class LiveStatusConfigurationTest {

    /** About what a pool of 1,000 databases held with 1,000-character markers in a non-Latin script shows. */
    static final String FILLER = "数".repeat(1_100_000);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(LiveStatusConfiguration.class)
    static class App {
        @Bean
        StatusSource status() {
            return () -> Map.of("filler", FILLER);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    SubProtocolWebSocketHandler handler;

    @Test
    void onlyTheServicesOwnOriginAndConfiguredOnesMayOpenTheStream() throws Exception {
        assertThat(handshake("https://dashboard.example")).startsWith("HTTP/1.1 101");
        assertThat(handshake("http://127.0.0.1:" + port)).as("same origin").startsWith("HTTP/1.1 101");
        assertThat(handshake(null)).as("not a browser").startsWith("HTTP/1.1 101");
        assertThat(handshake("http://evil.example")).startsWith("HTTP/1.1 403");
        assertThat(handshake("https://dashboard.example.evil.example")).startsWith("HTTP/1.1 403");
    }

    @Test
    void snapshotsOfSeveralMegabytesReachASubscriberThatIsBusyForAWhile() throws Exception {
        WebSocketContainer container = ContainerProvider.getWebSocketContainer();
        container.setDefaultMaxTextMessageBufferSize(LiveStatusConfiguration.MAX_MESSAGE_BYTES);
        WebSocketStompClient stomp = new WebSocketStompClient(new StandardWebSocketClient(container));
        stomp.setInboundMessageSizeLimit(LiveStatusConfiguration.MAX_MESSAGE_BYTES);
        stomp.setMessageConverter(new SimpleMessageConverter());
        CountDownLatch fastSawMore = new CountDownLatch(5);
        Subscriber fast = new Subscriber(null, fastSawMore);
        Subscriber busy = new Subscriber(fastSawMore, null);
        StompSession fastSession = stomp.connectAsync("ws://127.0.0.1:" + port + "/ws", fast).get(10, TimeUnit.SECONDS);
        StompSession busySession = stomp.connectAsync("ws://127.0.0.1:" + port + "/ws", busy).get(10, TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 4; i++) {
                byte[] snapshot = busy.received.poll(20, TimeUnit.SECONDS);
                assertThat(busy.failures).isEmpty();
                assertThat(snapshot).as("snapshot %d", i).isNotNull();
                assertThat(snapshot.length).isGreaterThan(3 * 1024 * 1024);
                assertThat(new String(snapshot, StandardCharsets.UTF_8)).isEqualTo("{\"filler\":\"" + FILLER + "\"}");
            }
            assertThat(busySession.isConnected()).isTrue();
            assertThat(handler.getSendBufferSizeLimit()).as("a subscriber may fall a whole snapshot behind")
                    .isGreaterThanOrEqualTo(LiveStatusConfiguration.MAX_MESSAGE_BYTES);
        } finally {
            for (StompSession session : new StompSession[] {fastSession, busySession}) {
                if (session.isConnected()) {
                    session.disconnect();
                }
            }
            stomp.stop();
        }
    }

    /**
     * Collects snapshots. A busy one takes its time over the first: it reads no further until the fast
     * one has had five more, while the service goes on publishing to both: with one in the
     * making, at most four (13 MB) wait on the server, which it allows.
     */
    static final class Subscriber extends StompSessionHandlerAdapter {
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        private final CountDownLatch busyUntil;
        private final CountDownLatch counting;

        Subscriber(CountDownLatch busyUntil, CountDownLatch counting) {
            this.busyUntil = busyUntil;
            this.counting = counting;
        }

        @Override
        public void afterConnected(StompSession session, StompHeaders headers) {
            session.subscribe(StatusBroadcaster.TOPIC, this);
        }

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            received.add((byte[]) payload);
            if (counting != null) {
                counting.countDown();
            }
            if (busyUntil != null && received.size() == 1) {
                try {
                    busyUntil.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void handleTransportError(StompSession session, Throwable exception) {
            failures.add(exception);
        }
    }

    /** A WebSocket handshake for /ws as a browser on {@code origin} sends it (none: no Origin header). */
    private String handshake(String origin) throws IOException {
        String head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        }
    }
}
