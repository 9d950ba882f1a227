package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.round;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Many pgflock clients queued on {@code /lock} at once against a pool much smaller than their number:
 * all connect and ask together, each gives its database back as soon as it has it. Runs on two event
 * loop threads, so the benchmark itself needs no thread per client. Reports the time until all were
 * served and lock-service's own threads and heap (from its /actuator/metrics), before and at peak.
 */
final class QueuedLocks {

    private static final Pattern VALUE = Pattern.compile("\"value\":([-0-9.Ee+]+)");

    private final int port;
    private final String password;
    private final int clients;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    QueuedLocks(int port, String password, int clients) {
        this.port = port;
        this.password = password;
        this.clients = clients;
    }

    Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        double threadsBefore = metric("jvm.threads.live");
        double heapBefore = metric("jvm.memory.used?tag=area:heap");
        AtomicLong threadsPeak = new AtomicLong((long) threadsBefore);
        AtomicLong heapPeak = new AtomicLong((long) heapBefore);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    threadsPeak.accumulateAndGet((long) metric("jvm.threads.live"), Math::max);
                    heapPeak.accumulateAndGet((long) metric("jvm.memory.used?tag=area:heap"), Math::max);
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a missed sample
                }
            }
        }, "metrics-sampler");
        sampler.setDaemon(true);

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        CountDownLatch finished = new CountDownLatch(clients);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
            sampler.start();
            long started = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                String target = "/lock?marker=" + URLEncoder.encode("queued-" + i, StandardCharsets.UTF_8)
                        + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
                bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new Client(target, finished, served, errors, waits));
                    }
                }).connect("127.0.0.1", port).addListener(connect -> {
                    if (!connect.isSuccess()) {
                        errors.incrementAndGet();
                        finished.countDown();
                    }
                });
            }
            if (!finished.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("queued clients not all served after 30 minutes");
            }
            double totalSeconds = (System.nanoTime() - started) / 1e9;
            sampler.interrupt();
            sampler.join();
            List<Long> sorted = new ArrayList<>(waits);
            Collections.sort(sorted);
            result.put("queue_clients", clients);
            result.put("queue_served", served.get());
            result.put("queue_errors", errors.get());
            result.put("queue_total_s", round(totalSeconds));
            result.put("queue_served_per_s", round(served.get() / totalSeconds));
            result.put("queue_wait_p50_ms", percentile(sorted, 0.50));
            result.put("queue_wait_p99_ms", percentile(sorted, 0.99));
            result.put("queue_service_threads_before", (long) threadsBefore);
            result.put("queue_service_threads_peak", threadsPeak.get());
            result.put("queue_service_heap_before_mb", round(heapBefore / 1048576.0));
            result.put("queue_service_heap_peak_mb", round(heapPeak.get() / 1048576.0));
            return result;
        } finally {
            sampler.interrupt();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One queued client: asks, waits for the answer's first line, then closes (which gives the database back). */
    private static final class Client extends SimpleChannelInboundHandler<HttpObject> {
        private final String target;
        private final CountDownLatch finished;
        private final AtomicInteger served;
        private final AtomicInteger errors;
        private final List<Long> waits;
        private final StringBuilder line = new StringBuilder();
        private long asked;
        private boolean done;

        Client(String target, CountDownLatch finished, AtomicInteger served, AtomicInteger errors, List<Long> waits) {
            this.target = target;
            this.finished = finished;
            this.served = served;
            this.errors = errors;
            this.waits = waits;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
            request.headers().set("Host", "localhost").set("Connection", "close");
            asked = System.nanoTime();
            ctx.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response
                    && (response.status().code() != 200 || !"2".equals(response.headers().get("X-PGFlock-Version")))) {
                finish(ctx, false);
                return;
            }
            if (msg instanceof HttpContent content && !done) {
                ByteBuf bytes = content.content();
                line.append(bytes.toString(StandardCharsets.UTF_8));
                if (line.indexOf("\n") >= 0) {
                    waits.add(System.nanoTime() - asked);
                    finish(ctx, line.toString().startsWith("postgresql://"));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(ctx, false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(ctx, false);
        }

        private void finish(ChannelHandlerContext ctx, boolean ok) {
            if (done) {
                return;
            }
            done = true;
            (ok ? served : errors).incrementAndGet();
            finished.countDown();
            ctx.close();
        }
    }

    /** The value of one of lock-service's /actuator/metrics. */
    private double metric(String name) throws Exception {
        java.net.http.HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + name)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        Matcher value = VALUE.matcher(response.body());
        if (response.statusCode() != 200 || !value.find()) {
            throw new IllegalStateException("cannot read metric " + name + ": " + response.statusCode() + " " + response.body());
        }
        return Double.parseDouble(value.group(1));
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return round(sorted.get(Math.max(0, index)) / 1_000_000.0);
    }
}
