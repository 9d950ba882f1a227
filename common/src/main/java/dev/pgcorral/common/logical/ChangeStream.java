package dev.pgcorral.common.logical;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * The changes of one source database, read from a logical replication slot through pgoutput and
 * decoded into {@link ReplicationMessage}s.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li><b>Order.</b> Transactions arrive whole and in the source's commit order (Begin, its changes,
 * Commit); non-transactional logical messages arrive when written. With
 * {@link Protocol#V2_STREAMING} a large transaction may also arrive in parts before it commits,
 * between {@code StreamStart} and {@code StreamStop}, ended by {@code StreamCommit} or {@code StreamAbort}.</li>
 * <li><b>Acknowledgement.</b> The consumer calls {@link #acknowledge(Lsn)} with a Commit's
 * {@code endLsn} once that transaction is durable on its side. A consumer that applies before it makes durable (an
 * asynchronous commit) calls {@link #applied(Lsn)} first: a reconnect then starts after that position, so nothing
 * applied comes again, while the source still keeps the WAL from the acknowledged one. Only acknowledged positions are
 * reported to the source as flushed and applied (on the status interval and whenever the source asks),
 * so the source keeps all WAL from there on. When the consumer has acknowledged all it received and
 * the source has nothing for this slot, the slot is moved on to the source's current position, so an
 * idle slot does not hold back WAL that other databases write.</li>
 * <li><b>Faults.</b> When the connection breaks (a restart, {@code pg_terminate_backend}, a network
 * fault) the stream reconnects by itself, with back-off, from the last applied (or acknowledged) position, drops
 * what waits for the consumer and delivers {@link ReplicationMessage.Resumed} (messages the consumer had
 * already taken come before it). A change is then delivered again only if its transaction was not
 * applied or acknowledged before its Begin was polled, never skipped. Faults that waiting
 * cannot cure (a dropped slot, a missing right) end the stream: {@link #poll(Duration)} throws.</li>
 * <li><b>Back-pressure.</b> At most {@link Builder#bufferBytes(long)} of decoded messages wait for
 * the consumer (and as much again taken by it in one batch); beyond that the stream stops reading and
 * the source waits. A transaction of any size
 * streams through this bound.</li>
 * <li><b>Threads.</b> One thread at a time calls {@link #poll(Duration)}; {@link #acknowledge(Lsn)}, {@link #applied(Lsn)},
 * {@link #progress()} and {@link #close()} may be called from any thread.</li>
 * </ul>
 */
public interface ChangeStream extends AutoCloseable {

    /**
     * The next message, waiting up to {@code timeout}; null when none arrived in time.
     *
     * @throws LogicalReplicationException when the stream ended for good (never for a fault it reconnects from)
     * @throws IllegalStateException       after {@link #close()}
     */
    ReplicationMessage poll(Duration timeout) throws InterruptedException;

    /** Everything up to {@code durable} is safe on the consumer's side; positions only move forward. */
    void acknowledge(Lsn durable);

    /**
     * Everything up to {@code position} is applied on the consumer's side, not necessarily durable yet: a reconnect starts
     * after it, but the source hears of it only once {@link #acknowledge(Lsn)} says it is durable. Positions only move
     * forward.
     */
    void applied(Lsn position);

    Progress progress();

    /** Reports the acknowledged position to the source one last time and disconnects. The slot stays. */
    @Override
    void close();

    /**
     * @param received        the last position read from the source (data or keep-alive)
     * @param acknowledged    the last position the consumer acknowledged
     * @param confirmed       the position reported to the source as flushed: the acknowledged one,
     *                        or further while the slot idles
     * @param bufferedBytes   decoded messages waiting for the consumer, in bytes of pgoutput data
     * @param maxBufferedBytes the most that ever waited
     * @param reconnects      connections lost and re-established
     * @param reconnecting    while the connection is lost and being made again: what it was lost to; else null
     */
    record Progress(Lsn received, Lsn acknowledged, Lsn confirmed, long bufferedBytes, long maxBufferedBytes,
                    int reconnects, String reconnecting) {
    }

    /** pgoutput's protocol versions this layer speaks. */
    enum Protocol {
        /** Whole transactions, sent at commit (PostgreSQL 10 on). */
        V1,
        /** Also large transactions in parts while in progress ({@code streaming = on}, PostgreSQL 14 on). */
        V2_STREAMING
    }

    static Builder builder(ConnectionDetails source) {
        return new Builder(source);
    }

    /** Settings of a stream; every one but the slot and the publications has a default. Not thread-safe. */
    final class Builder {
        final ConnectionDetails source;
        String slot;
        List<String> publications = List.of();
        Lsn startAt = Lsn.INVALID;
        Protocol protocol = Protocol.V1;
        boolean binary;
        boolean messages = true;
        Duration statusInterval = Duration.ofSeconds(1);
        long bufferBytes = 8L << 20;
        Duration reconnectTimeout = Duration.ofMinutes(2);
        String applicationName = "pgcorral";

        private Builder(ConnectionDetails source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Builder slot(String slot) {
            ReplicationSlots.checkName(slot);
            this.slot = slot;
            return this;
        }

        public Builder publications(List<String> publications) {
            this.publications = List.copyOf(publications);
            return this;
        }

        public Builder publications(String... publications) {
            return publications(List.of(publications));
        }

        /** Where to start; default: where the slot's consumer last acknowledged. */
        public Builder startAt(Lsn position) {
            this.startAt = Objects.requireNonNull(position, "position");
            return this;
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** Column values in their types' binary form instead of text (PostgreSQL 14 on). Default: text. */
        public Builder binary(boolean binary) {
            this.binary = binary;
            return this;
        }

        /** Deliver logical messages ({@code pg_logical_emit_message}); default: yes. */
        public Builder messages(boolean messages) {
            this.messages = messages;
            return this;
        }

        /** How often the acknowledged position is reported to the source; default 1 s. */
        public Builder statusInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the status interval must be positive, was " + interval);
            }
            this.statusInterval = interval;
            return this;
        }

        /** Bytes of decoded messages that may wait for the consumer; default 8 MiB. */
        public Builder bufferBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("the buffer must hold at least 1024 bytes, was " + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /** How long to keep reconnecting after a fault before the stream fails; default 2 min, zero: never. */
        public Builder reconnectTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("the reconnect timeout must not be negative, was " + timeout);
            }
            this.reconnectTimeout = timeout;
            return this;
        }

        /** The name the connection shows in {@code pg_stat_replication}; default {@code pgcorral}. */
        public Builder applicationName(String name) {
            this.applicationName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Connects and starts streaming.
         *
         * @throws LogicalReplicationException naming what is wrong: a missing slot or publication, a
         *                                     slot in use, the server's settings, the user's rights
         */
        public ChangeStream open() {
            if (slot == null) {
                throw new IllegalArgumentException("a stream needs a slot");
            }
            if (publications.isEmpty()) {
                throw new IllegalArgumentException("a stream needs at least one publication");
            }
            return PgOutputStream.open(this);
        }
    }
}
