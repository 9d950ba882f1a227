package dev.pgcorral.common.logical;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.Resumed;
import dev.pgcorral.common.logical.ReplicationMessage.StreamAbort;
import dev.pgcorral.common.logical.ReplicationMessage.StreamCommit;
import dev.pgcorral.common.logical.ReplicationMessage.StreamStart;
import dev.pgcorral.common.pg.Lsn;

/**
 * {@link ChangeStream} over pgjdbc's replication API. A reader thread owns the connection: it reads,
 * decodes, hands messages over through a {@link MessageBuffer}, reports the acknowledged position and
 * reconnects after faults. The consumer's thread only takes decoded messages.
 */
final class PgOutputStream implements ChangeStream {

    private static final Logger log = LoggerFactory.getLogger(PgOutputStream.class);
    /**
     * How long a look at an idle connection lasts: pgjdbc's own look waits up to 1 ms for data and returns as soon as
     * some comes; where it returns at once, a pause makes up the rest (an idle stream spends well under 1% of a core).
     */
    private static final long IDLE_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * A stream whose transactions end less than this apart is busy: once a look had to wait for its next message,
     * the reader pauses {@link #GATHER_NANOS} after handing a transaction over, so that what follows is read in one go
     * rather than one wake-up each (on two cores the wake-ups cost more than the reading). A transaction after a quiet
     * spell is never delayed.
     */
    private static final long BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A look that took longer than this waited for data to arrive. */
    private static final long WOKEN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final int BATCH_MESSAGES = 256;

    private final ChangeStream.Builder settings;
    private final String describe;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final MessageBuffer buffer;
    private final AtomicLong acknowledged = new AtomicLong();
    /** What the consumer applied, acknowledged or not: where a reconnect starts and below which transactions are skipped. */
    private final AtomicLong applied = new AtomicLong();
    private final AtomicInteger reconnects = new AtomicInteger();
    /** What the connection was lost to, while it is being made again; null while connected. */
    private volatile String reconnecting;
    private final Thread reader;
    private volatile boolean closed;
    private volatile Lsn received = Lsn.INVALID;
    private volatile Lsn confirmed = Lsn.INVALID;

    // consumer thread only
    private boolean skipping;

    // reader thread only
    private Session session;
    private boolean inTransaction;
    private final Set<Long> openStreamedTransactions = new HashSet<>();
    private Lsn lastDelivered = Lsn.INVALID;
    /** When the last transaction's end was handed over ({@link System#nanoTime()}). */
    private long lastEnd;
    /** A look waited for the source since the last pause: its data woke the reader. */
    private boolean woken;

    private record Session(PGConnection connection, PGReplicationStream stream) {
        void close() {
            ReplicationConnections.closeQuietly(connection);
        }
    }

    private PgOutputStream(ChangeStream.Builder settings) {
        this.settings = settings;
        this.describe = "slot " + settings.slot + " on " + settings.source.redacted();
        this.buffer = new MessageBuffer(settings.bufferBytes);
        this.acknowledged.set(settings.startAt.value());
        this.applied.set(settings.startAt.value());
        this.confirmed = settings.startAt;
        this.reader = new Thread(this::run, "pgcorral-logical-" + settings.slot);
        this.reader.setDaemon(true);
    }

    static PgOutputStream open(ChangeStream.Builder settings) {
        PgOutputStream stream = new PgOutputStream(settings);
        Lsn slotPosition = StreamPreflight.check(settings, stream.describe);
        if (slotPosition.isAfter(stream.confirmed)) { // start from the slot's confirmed position when it is further
            stream.confirmed = slotPosition;
            stream.acknowledge(slotPosition);
        }
        stream.session = stream.connect();
        stream.reader.start();
        return stream;
    }

    @Override
    public ReplicationMessage poll(Duration timeout) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the stream from " + describe + " is closed");
        }
        long deadline = System.nanoTime() + MessageBuffer.toNanos(timeout);
        while (true) {
            ReplicationMessage message = buffer.poll(deadline - System.nanoTime());
            if (message == null || !alreadyAcknowledged(message)) {
                return message;
            }
        }
    }

    /**
     * Whether {@code message} belongs to a transaction the consumer acknowledged already: the source
     * resends those when a reconnect raced with an acknowledgement, or the consumer acknowledged
     * them from messages taken before the fault. Consumer thread only.
     */
    private boolean alreadyAcknowledged(ReplicationMessage message) {
        if (message instanceof Begin begin) {
            skipping = Long.compareUnsigned(begin.finalLsn().value(), applied.get()) < 0;
            return skipping;
        }
        if (!skipping) {
            return false;
        }
        if (message instanceof Resumed) {
            skipping = false;
            return false;
        }
        if (message instanceof Commit) {
            skipping = false;
        }
        return true;
    }

    @Override
    public void acknowledge(Lsn durable) {
        acknowledged.accumulateAndGet(durable.value(), PgOutputStream::later);
        applied(durable);
    }

    @Override
    public void applied(Lsn position) {
        applied.accumulateAndGet(position.value(), PgOutputStream::later);
    }

    private static long later(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    @Override
    public Progress progress() {
        return new Progress(received, new Lsn(acknowledged.get()), confirmed, buffer.bytes(), buffer.highWater(),
                reconnects.get(), reconnecting);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        buffer.end(new IllegalStateException("the stream from " + describe + " is closed"));
    }

    private void run() {
        try {
            while (!closed) {
                try {
                    pump();
                } catch (SQLException e) {
                    if (closed) {
                        return;
                    }
                    LogicalReplicationException fault = ReplicationErrors.translate("streaming from " + describe, e);
                    if (!fault.reason().isTransient()) {
                        throw fault;
                    }
                    resume(fault);
                }
            }
        } catch (InterruptedException e) {
            if (!closed) {
                buffer.end(new LogicalReplicationException(LogicalReplicationException.Reason.FAILED,
                        "streaming from " + describe + " was interrupted", e));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("logical replication from {} stopped: {}", describe, e.getMessage());
                buffer.end(e);
            }
        } finally {
            Session last = session;
            if (last != null) {
                reportFinalPosition(last);
                last.close();
            }
        }
    }

    /**
     * Reads until closed; a broken connection throws. Decoded messages go to the consumer in batches: a batch is
     * handed over at the end of each transaction (so a commit never waits for the next look), when the source has
     * nothing more at hand, or at {@link #BATCH_MESSAGES} messages or a quarter of the buffer. A look at an idle
     * connection waits up to {@link #IDLE_LOOK_NANOS} for the source's next message (pgjdbc's own short read, or a
     * pause of ours where that returns at once).
     */
    private void pump() throws SQLException, InterruptedException {
        PGReplicationStream stream = session.stream();
        long maxBatchBytes = Math.max(1, settings.bufferBytes / 4);
        List<ReplicationMessage> batch = new ArrayList<>(BATCH_MESSAGES);
        long batchBytes = 0;
        while (!closed) {
            report(stream);
            long look = System.nanoTime();
            ByteBuffer data = stream.readPending();
            if (data != null && System.nanoTime() - look > WOKEN_NANOS) {
                woken = true; // the look waited for the source: that data woke this thread
            }
            if (data == null) {
                if (!batch.isEmpty()) {
                    hand(stream, batch, batchBytes);
                    batch = new ArrayList<>(BATCH_MESSAGES);
                    batchBytes = 0;
                }
                advanceWhileIdle(stream);
                long rest = IDLE_LOOK_NANOS - (System.nanoTime() - look);
                if (rest > 0) {
                    LockSupport.parkNanos(rest);
                }
                if (Thread.interrupted() && !closed) {
                    throw new InterruptedException();
                }
                continue;
            }
            Lsn position = ReplicationConnections.fromPg(stream.getLastReceiveLSN());
            received = position;
            long size = data.remaining();
            ReplicationMessage message = decoder.decode(data, position);
            boolean ends = track(message);
            batch.add(message);
            batchBytes += size;
            if (ends || batch.size() >= BATCH_MESSAGES || batchBytes >= maxBatchBytes) {
                hand(stream, batch, batchBytes);
                batch = new ArrayList<>(BATCH_MESSAGES);
                batchBytes = 0;
            }
            if (ends) {
                gatherIfBusy();
            }
        }
    }

    /**
     * After a transaction's end is handed over: on a busy source (its transactions end less than {@link #BUSY_NANOS}
     * apart, and a look had to wait for one), pauses {@link #GATHER_NANOS} so that the next ones are read together.
     */
    private void gatherIfBusy() {
        long now = System.nanoTime();
        if (woken && now - lastEnd < BUSY_NANOS) {
            LockSupport.parkNanos(GATHER_NANOS);
            woken = false;
        }
        lastEnd = now;
    }

    /** Hands a batch to the consumer, waiting for room; the source hears from us meanwhile. */
    private void hand(PGReplicationStream stream, List<ReplicationMessage> batch, long bytes)
            throws SQLException, InterruptedException {
        long statusNanos = MessageBuffer.toNanos(settings.statusInterval);
        while (!buffer.offer(batch, bytes, statusNanos)) {
            if (closed) {
                return;
            }
            report(stream);
            stream.forceUpdateStatus();
        }
    }

    /** Tracks transaction boundaries, for {@link #advanceWhileIdle}; true when {@code message} ends a transaction. */
    private boolean track(ReplicationMessage message) {
        if (message instanceof Begin) {
            inTransaction = true;
        } else if (message instanceof Commit commit) {
            inTransaction = false;
            lastDelivered = commit.endLsn();
            return true;
        } else if (message instanceof StreamStart start) {
            openStreamedTransactions.add(start.xid());
        } else if (message instanceof StreamCommit commit) {
            openStreamedTransactions.remove(commit.xid());
            lastDelivered = commit.endLsn();
            return true;
        } else if (message instanceof StreamAbort abort && abort.xid() == abort.subXid()) {
            openStreamedTransactions.remove(abort.xid());
            return true;
        } else if (message instanceof Message m && !m.transactional()) {
            lastDelivered = Lsn.max(lastDelivered, m.position());
            return true;
        }
        return false;
    }

    /** Reports the acknowledged position (pgjdbc sends it on the interval and when the source asks). */
    private void report(PGReplicationStream stream) {
        Lsn ack = new Lsn(acknowledged.get());
        if (ack.isAfter(confirmed)) {
            confirm(stream, ack);
        }
    }

    /**
     * With nothing buffered, no transaction open and everything delivered acknowledged, the source's
     * last keep-alive position is safe to confirm: nothing before it is left for this slot.
     */
    private void advanceWhileIdle(PGReplicationStream stream) {
        Lsn serverPosition = ReplicationConnections.fromPg(stream.getLastReceiveLSN());
        received = Lsn.max(received, serverPosition);
        if (inTransaction || !openStreamedTransactions.isEmpty() || !buffer.isEmpty()
                || Long.compareUnsigned(acknowledged.get(), lastDelivered.value()) < 0) {
            return;
        }
        if (serverPosition.isAfter(confirmed)) {
            confirm(stream, serverPosition);
        }
    }

    private void confirm(PGReplicationStream stream, Lsn position) {
        confirmed = position;
        stream.setFlushedLSN(ReplicationConnections.toPg(position));
        stream.setAppliedLSN(ReplicationConnections.toPg(position));
    }

    private void resume(LogicalReplicationException fault) throws InterruptedException {
        log.warn("logical replication from {} lost its connection, reconnecting: {}", describe, fault.getMessage());
        session.close();
        session = null;
        buffer.clear();
        inTransaction = false;
        openStreamedTransactions.clear();
        reconnects.incrementAndGet();
        reconnecting = fault.getMessage();
        RetryPolicy policy = RetryPolicy.builder()
                .maxRetries(Long.MAX_VALUE)
                .timeout(settings.reconnectTimeout.isZero() ? Duration.ofMillis(1) : settings.reconnectTimeout)
                .delay(Duration.ofMillis(100)).multiplier(2).maxDelay(Duration.ofSeconds(5))
                .predicate(t -> t instanceof LogicalReplicationException l && l.reason().isTransient())
                .build();
        try {
            session = new RetryTemplate(policy).execute(this::connect);
        } catch (RetryException e) {
            if (Thread.interrupted() || closed) {
                throw new InterruptedException();
            }
            Throwable last = e.getLastException() == null ? e.getCause() : e.getLastException();
            throw last instanceof LogicalReplicationException l ? l
                    : new LogicalReplicationException(LogicalReplicationException.Reason.FAILED,
                    "reconnecting to " + describe + " failed: " + last.getMessage(), last);
        }
        reconnecting = null;
        Lsn from = Lsn.max(confirmed, new Lsn(applied.get()));
        log.info("logical replication from {} resumed from {}", describe, from);
        buffer.offer(List.of(new Resumed(from, fault.getMessage())), 0, Long.MAX_VALUE);
    }

    private Session connect() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        PGConnection connection = null;
        try {
            connection = ReplicationConnections.open(settings.source, settings.applicationName);
            Lsn durable = Lsn.max(confirmed, new Lsn(acknowledged.get()));
            // after what the consumer applied (the source skips the transactions that end before it), but only what is
            // durable is reported to the source as flushed
            Lsn start = Lsn.max(durable, new Lsn(applied.get()));
            PGReplicationStream stream = ReplicationConnections.startStream(connection, settings, start);
            confirm(stream, durable);
            return new Session(connection, stream);
        } catch (SQLException e) {
            ReplicationConnections.closeQuietly(connection);
            throw ReplicationErrors.translate("starting to stream from " + describe, e);
        }
    }

    private void reportFinalPosition(Session last) {
        try {
            report(last.stream());
            if (!last.stream().isClosed()) {
                last.stream().forceUpdateStatus();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("could not report the final position to {}: {}", describe, e.getMessage());
        }
    }
}
