package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.pgcorral.lock.pool.Pool;

/**
 * The public port against clients that do not send their request: a head deadline however slowly
 * bytes trickle in, and a cap on such connections that held locks and health checks do not share.
 * A short deadline and a cap of 4, so the test needs neither patience nor many sockets.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.lock.port=0",
        "pgcorral.lock.instances=1",
        "pgcorral.lock.databases-per-instance=2",
        "pgcorral.lock.template.watch-interval=0s",
        "pgcorral.lock.front.head-timeout=5s",
        "pgcorral.lock.front.max-unauthenticated=" + FrontLimitsTest.CAP,
        "pgcorral.lock.front.max-web-sockets=2"})
class FrontLimitsTest {

    static final int CAP = 4;
    private static final String PASSWORD = "pgflock";

    @Autowired
    LockConfiguration.FrontPort front;
    @Autowired
    Pool pool;

    private int port;
    private LockServiceClient client;
    private final List<Socket> silent = new ArrayList<>();
    private final List<PgflockConnection> locks = new ArrayList<>();

    @BeforeEach
    void connect() {
        port = front.port();
        client = new LockServiceClient(port, PASSWORD);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket socket : silent) {
            socket.close();
        }
        for (PgflockConnection lock : locks) {
            lock.close();
        }
        pool.releaseAll();
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.status().counts().free() == 2);
    }

    @Test
    void liveStatusStreamsAreCappedAndAClosedOneFreesItsPlace() throws Exception {
        Socket first = webSocket();
        Socket second = webSocket();
        assertThat(statusLine(first)).contains(" 101 ");
        assertThat(statusLine(second)).contains(" 101 ");
        try (Socket third = webSocket()) {
            assertThat(statusLine(third)).contains(" 503 ");
        }
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket next = webSocket()) {
                return statusLine(next).contains(" 101 ");
            }
        });
        second.close();
    }

    private Socket webSocket() throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return socket;
    }

    private static String statusLine(Socket socket) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = socket.getInputStream().read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }

    @Test
    void aClientTricklingItsRequestHeadOneBytePerSecondIsDroppedAtTheDeadline() throws Exception {
        byte[] head = ("GET /health-check HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + "slow".repeat(20) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            int sent = 0;
            try {
                while (sent < head.length && socket.getInputStream().available() == 0) {
                    out.write(head[sent++]);
                    out.flush();
                    Thread.sleep(1_000);
                }
            } catch (SocketException closed) {
                // dropped while sending
            }
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408 ").endsWith("Request head not received within 5000 ms\n");
            assertThat(sent).as("dropped long before the head was complete").isLessThan(head.length / 2);
        }
    }

    @Test
    void aBurstOfClientsBeyondTheCapIsServedAsTheirHeadsArrive() throws Exception {
        List<Socket> burst = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * CAP; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(30_000);
                burst.add(socket);
            }
            for (Socket socket : burst) {
                socket.getOutputStream().write("GET /health-check HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            for (Socket socket : burst) {
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200 ");
            }
        } finally {
            for (Socket socket : burst) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsThatSendNothingCannotCrowdOutHealthChecksOrHeldLocks() throws Exception {
        PgflockConnection held = hold(PgflockConnection.lock(port, "held", PASSWORD));
        held.firstLine();
        hold(PgflockConnection.lock(port, "other", PASSWORD)).firstLine();
        PgflockConnection waiter = hold(PgflockConnection.send(port, "waiter", PASSWORD));
        await().until(() -> pool.status().counts().waiting() == 1);

        for (int i = 0; i < 2 * CAP; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            silent.add(socket);
        }
        await("a health check gets through, in the place of the longest waiting silent connection")
                .atMost(Duration.ofSeconds(4)).until(() -> {
                    assertThat(client.get("/health-check").status()).isEqualTo(200);
                    return answered(silent) >= 1;
                });
        var health = client.get("/health-check");
        assertThat(health.json().get("locked").asInt()).isEqualTo(2);
        assertThat(health.json().get("waiting").asInt()).isEqualTo(1);

        held.close();
        waiter.readHead();
        assertThat(waiter.status).as("closing a held lock still releases it, and the queue moves").isEqualTo(200);
        assertThat(waiter.firstLine()).startsWith("postgresql://");
        assertThat(pool.status().waiters()).isEmpty();

        List<String> answers = new ArrayList<>();
        for (Socket socket : silent) {
            answers.add(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\r\n")[0]);
        }
        assertThat(answers).as("silent connections made room (503) or hit the head deadline (408)")
                .allSatisfy(line -> assertThat(line).matches("HTTP/1\\.1 (503|408) .*"))
                .anySatisfy(line -> assertThat(line).startsWith("HTTP/1.1 503 "));
    }

    private static int answered(List<Socket> sockets) throws Exception {
        int answered = 0;
        for (Socket socket : sockets) {
            if (socket.getInputStream().available() > 0) {
                answered++;
            }
        }
        return answered;
    }

    private PgflockConnection hold(PgflockConnection connection) {
        locks.add(connection);
        return connection;
    }
}
