package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.lock.pool.PoolStatus;

/** Many pgflock clients at once: the front holds them on a few threads and the queue serves them in order. */
class FrontScaleTest extends PoolTestBase {

    private static final int CLIENTS = 1000;

    /** One queued /lock client on a non-blocking socket, so the test needs no thread per client either. */
    private static final class Waiter {
        final String marker;
        final StringBuilder received = new StringBuilder();

        Waiter(String marker) {
            this.marker = marker;
        }

        /** The head and the connection string, once both are in. */
        boolean complete() {
            int headEnd = received.indexOf("\r\n\r\n");
            return headEnd >= 0 && received.indexOf("\n", headEnd + 4) >= 0;
        }
    }

    @Test
    void aThousandQueuedLockClientsAreServedInQueueOrderOnBoundedThreads() throws Exception {
        List<PgflockConnection> holders = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            holders.add(PgflockConnection.lock(port, "holder" + i, PASSWORD));
            holders.get(i).firstLine();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int threadsBefore = threads.getThreadCount();
        Selector selector = Selector.open();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                String marker = String.format("queued-%04d", i);
                channel.write(ByteBuffer.wrap(("GET /lock?marker=" + marker + "&password=" + PASSWORD + " HTTP/1.1\r\n"
                        + "Host: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new Waiter(marker));
                if ((i + 1) % 100 == 0) {
                    int queued = i + 1;
                    await().atMost(Duration.ofSeconds(30)).until(() -> pool.status().counts().waiting() == queued);
                }
            }
            List<String> queue = pool.status().waiters().stream().map(PoolStatus.Waiter::marker).toList();
            assertThat(queue).hasSize(CLIENTS);
            assertThat(threads.getThreadCount() - threadsBefore).as("threads added while %d clients are queued", CLIENTS)
                    .isLessThan(50);

            for (PgflockConnection holder : holders) {
                holder.close();
            }
            List<String> served = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (served.size() < CLIENTS && System.nanoTime() < deadline) {
                selector.select(1_000);
                for (SelectionKey key : selector.selectedKeys()) {
                    Waiter waiter = (Waiter) key.attachment();
                    buffer.clear();
                    int read = ((SocketChannel) key.channel()).read(buffer);
                    if (read > 0) {
                        waiter.received.append(new String(buffer.array(), 0, read, StandardCharsets.UTF_8));
                    }
                    if (waiter.complete() || read < 0) {
                        assertThat(waiter.received.toString()).as(waiter.marker)
                                .startsWith("HTTP/1.1 200 ").contains("X-PGFlock-Version: 2\r\n").contains("\r\n\r\npostgresql://");
                        served.add(waiter.marker);
                        key.channel().close();
                    }
                }
                selector.selectedKeys().clear();
                List<String> waiting = pool.status().waiters().stream().map(PoolStatus.Waiter::marker).toList();
                assertThat(waiting).as("those still waiting are the end of the queue: nobody overtook them")
                        .isEqualTo(queue.subList(CLIENTS - waiting.size(), CLIENTS));
            }
            assertThat(served).as("every queued client got a database").hasSize(CLIENTS);
            assertThat(threads.getThreadCount() - threadsBefore).isLessThan(50);
        } finally {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        }
    }
}
