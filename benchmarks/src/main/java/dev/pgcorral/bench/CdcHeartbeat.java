package dev.pgcorral.bench;

import static dev.pgcorral.bench.Reports.log;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * How a CDC benchmark measures lag: a table {@code bench_heartbeat(id, at, lsn)} on the source, into which a
 * ticker inserts a row every 100 ms, each in its own transaction, with the source's {@code now()} and
 * {@code pg_current_wal_lsn()}; and a sampler that every 100 ms reads, for each way, the newest row its
 * destination shows, then the source's clock and WAL position. A way's lag is the source's
 * {@code clock_timestamp()} minus that row's {@code at} (seconds) and the source's {@code pg_current_wal_lsn()}
 * minus that row's {@code lsn} (bytes), both clamped at 0. One clock (the source's, on this machine) for both ends.
 */
final class CdcHeartbeat {

    static final Duration INTERVAL = Duration.ofMillis(100);
    static final Duration POLL = Duration.ofMillis(1);
    private static final String NEWEST = "SELECT (extract(epoch FROM at) * 1000000)::bigint, lsn::text FROM bench_heartbeat"
            + " ORDER BY id DESC LIMIT 1";
    private static final String NOW = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint, pg_current_wal_lsn()::text";

    private final Connection beats;
    private final Connection clock;
    private final AtomicLong lastId;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;

    /** Creates the table on the source, with a first row, before the ways copy it. */
    static void create(ConnectionDetails source) throws SQLException {
        PgClients.execute(source, "CREATE TABLE bench_heartbeat (id bigint PRIMARY KEY, at timestamptz NOT NULL, lsn pg_lsn NOT NULL)");
        PgClients.execute(source, "INSERT INTO bench_heartbeat VALUES (0, now(), pg_current_wal_lsn())");
    }

    CdcHeartbeat(ConnectionDetails source) throws SQLException {
        this.beats = source.connect();
        this.clock = source.connect();
        this.lastId = new AtomicLong(Long.parseLong(PgClients.query(source, "SELECT max(id) FROM bench_heartbeat")));
    }

    /** The id of the last heartbeat inserted. */
    long lastId() {
        return lastId.get();
    }

    /** Inserts the next heartbeat row (its own transaction); returns its id. */
    synchronized long beat() throws SQLException {
        long id = lastId.incrementAndGet();
        try (PreparedStatement st = beats.prepareStatement("INSERT INTO bench_heartbeat VALUES (?, now(), pg_current_wal_lsn())")) {
            st.setLong(1, id);
            st.executeUpdate();
        }
        return id;
    }

    /**
     * Starts the ticker and, with {@code sampling}, the sampler of {@code ways} (those not failed), each every 100 ms on a
     * thread of its own.
     */
    void start(List<CdcWay> ways, boolean sampling) {
        timer = Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "bench-cdc-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = INTERVAL.toMillis();
        timer.scheduleAtFixedRate(() -> {
            try {
                beat();
            } catch (SQLException e) {
                log("heartbeat: %s", e.getMessage());
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        if (sampling) {
            timer.scheduleAtFixedRate(() -> ways.stream().filter(way -> !way.failed()).forEach(this::sample), period / 2, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the ticker and the sampler and waits for the run under way, if any. */
    void stop() throws InterruptedException {
        if (timer != null) {
            timer.shutdown();
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                log("heartbeat: the ticker or sampler did not stop within 10 s");
            }
            timer = null;
        }
    }

    /**
     * Polls every 1 ms (the ways in turns, each first in every other round) until each way's destination shows heartbeat
     * {@code id}; records on each the seconds from
     * {@code fromNanos} ({@link System#nanoTime()}) to the poll that saw it, and fails those that did not within {@code limit}.
     */
    void awaitVisible(long id, List<CdcWay> ways, long fromNanos, Duration limit) throws InterruptedException {
        awaitVisible(id, ways, fromNanos, limit, CdcWay::caughtUp);
    }

    /** As {@link #awaitVisible(long, List, long, Duration)}, each way's seconds given to {@code seen}. */
    void awaitVisible(long id, List<CdcWay> ways, long fromNanos, Duration limit, BiConsumer<CdcWay, Double> seen) throws InterruptedException {
        List<CdcWay> waiting = new ArrayList<>(ways.stream().filter(way -> !way.failed()).toList());
        while (!waiting.isEmpty()) {
            Collections.rotate(waiting, 1); // each way is looked at first as often as the other
            for (CdcWay way : List.copyOf(waiting)) {
                long now = System.nanoTime();
                try (PreparedStatement st = way.connection().prepareStatement("SELECT 1 FROM bench_heartbeat WHERE id = ?")) {
                    st.setLong(1, id);
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next()) {
                            seen.accept(way, (now - fromNanos) / 1e9);
                            waiting.remove(way);
                        }
                    }
                } catch (SQLException e) {
                    way.fail("reading its heartbeat: " + e.getMessage());
                    waiting.remove(way);
                }
            }
            if (!waiting.isEmpty() && System.nanoTime() - fromNanos > limit.toNanos()) {
                waiting.forEach(way -> way.fail("heartbeat " + id + " did not reach " + way.destination().database() + " within "
                        + limit.toSeconds() + " s"));
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    void close() {
        for (Connection c : List.of(beats, clock)) {
            try {
                c.close();
            } catch (SQLException e) {
                log("heartbeat: closing a connection: %s", e.getMessage());
            }
        }
    }

    /** One lag sample of {@code way}: its newest heartbeat row, then the source's clock and WAL position. */
    private void sample(CdcWay way) {
        try (Statement destination = way.connection().createStatement(); ResultSet newest = destination.executeQuery(NEWEST)) {
            if (!newest.next()) {
                return;
            }
            long at = newest.getLong(1);
            Lsn lsn = Lsn.parse(newest.getString(2));
            try (Statement source = clock.createStatement(); ResultSet now = source.executeQuery(NOW)) {
                now.next();
                way.sample(Math.max(0, Lsn.parse(now.getString(2)).bytesSince(lsn)), Math.max(0, now.getLong(1) - at) / 1e6);
            }
            failing.remove(way.name());
        } catch (SQLException | RuntimeException e) {
            if (failing.add(way.name())) {
                log("%s: a lag sample failed: %s", way.name(), e.getMessage());
            }
        }
    }
}
