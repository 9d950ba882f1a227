package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.logical.LogicalReplicationException;
import dev.pgcorral.common.logical.ReplicationMessage;
import dev.pgcorral.common.logical.ReplicationMessage.Begin;
import dev.pgcorral.common.logical.ReplicationMessage.Commit;
import dev.pgcorral.common.logical.ReplicationMessage.Delete;
import dev.pgcorral.common.logical.ReplicationMessage.Insert;
import dev.pgcorral.common.logical.ReplicationMessage.Message;
import dev.pgcorral.common.logical.ReplicationMessage.Origin;
import dev.pgcorral.common.logical.ReplicationMessage.RelationMessage;
import dev.pgcorral.common.logical.ReplicationMessage.Resumed;
import dev.pgcorral.common.logical.ReplicationMessage.Truncate;
import dev.pgcorral.common.logical.ReplicationMessage.Update;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.migration.clone.CloneProgress;

/**
 * Follows a source: streams its committed changes from the migration's slot and applies them to the
 * destination in commit order, each source transaction whole; several source transactions may share one
 * destination transaction. The group is committed as soon as the stream has nothing more at hand, or when it reaches
 * {@value #GROUP_MILLIS} ms or {@value #GROUP_CHANGES} changes; the commit is waited for, and what arrives meanwhile
 * joins the next group. So a lone change goes through without waiting, and a busy source costs the destination one
 * commit per round trip. The destination's replication origin
 * records in that same transaction how far it got, and the source is acknowledged only up to there once it is on the
 * destination's disk (commits are asynchronous where no synchronous standby waits: the flushed position is read after
 * {@value #IDLE_WAIT_MILLIS} ms without changes, which also finds a destination that crashed meanwhile, and every
 * {@value #LAG_PROBE_MILLIS} ms on another connection while they come, see {@link FlushAcknowledger}): a
 * restart, of this process or of either server, resumes exactly after the last committed transaction.
 * A destination or source that cannot be reached is retried with back-off, said in
 * {@link FollowProgress#trouble()}; a change the destination cannot take ({@link ApplyException}) or a slot
 * that is gone ends the follow with that error. Run it on its own thread; {@link #cancel()} ends it.
 */
public final class Follower {

    /**
     * @param startAt       where the clone's snapshot ends (the slot's consistent point), or {@link Lsn#INVALID}: the slot's position
     * @param skipReplicated leave out transactions that reached the source by replication (from an origin): no echo back
     * @param passDdlAt      the last schema change an earlier run stopped at, which the user applied to the destination (with
     *                       those before it); null: none
     * @param known          the source's table definitions kept across runs, which a table's first definition is compared with
     */
    public record Job(String migrationId, ConnectionDetails source, ConnectionDetails destination, String slot, String publication,
                      String origin, Lsn startAt, boolean skipReplicated, Lsn passDdlAt, KnownDefinitions known) {
    }

    static final int GROUP_MILLIS = 5;
    /** How often the source's WAL position is read for the lag. */
    static final int LAG_PROBE_MILLIS = 200;
    static final int IDLE_WAIT_MILLIS = 200;
    private static final Duration IDLE_WAIT = Duration.ofMillis(IDLE_WAIT_MILLIS);
    static final int GROUP_CHANGES = 5000;
    private static final Duration ORIGIN_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Job job;
    private final FollowLog say;
    private final FollowProgress progress = new FollowProgress();
    private volatile boolean cancelled;
    private volatile ChangeStream stream;
    private volatile Connection applying;
    /** The apply session of the connection in use, for {@link ApplyWatch}; null between them. */
    private volatile ApplySession session;
    /** What the lag probe found the publication leaves out, said as the follow's error; null: nothing. */
    private volatile String notFollowed;
    /** The last source transaction committed on the destination and not yet known to be on its disk; null: none. Apply thread only. */
    private Lsn notFlushed;
    /** The source's table definitions a type change shows against. */
    private final RunDefinitions definitions;

    /** @param record the run's record: events and log lines go there */
    public Follower(Job job, CloneProgress record) {
        this.job = job;
        this.say = new FollowLog(record, job.migrationId());
        this.definitions = new RunDefinitions(job.known(), job.migrationId());
    }

    public FollowProgress progress() {
        return progress;
    }

    /** Ends the follow: what the destination has not committed yet is rolled back and comes again on the next start. */
    public void cancel() {
        cancelled = true;
        progress.ended();
        ChangeStream s = stream;
        if (s != null) {
            s.close();
        }
        Connection c = applying;
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closed already
            }
        }
        synchronized (this) {
            notifyAll();
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * Follows until {@link #cancel()} (then returns) or a fault that waiting cannot cure (then throws).
     *
     * @throws ApplyException              a change the destination cannot take, with what to fix
     * @throws LogicalReplicationException the slot or publication is gone, or a right is missing
     */
    public void run() throws Exception {
        LagProbe probe = new LagProbe(job.source(), job.migrationId(), job.slot(), job.publication());
        ApplyWatch watch = new ApplyWatch(job.destination(), job.origin(), job.migrationId());
        FlushAcknowledger flushes = new FlushAcknowledger(job.destination(), job.origin(), job.migrationId());
        Watchers watchers = new Watchers(job.migrationId());
        watchers.every("migration-lag", LAG_PROBE_MILLIS, () -> {
            probe.probe(progress, stream, found -> notFollowed = found);
            ApplySession s = session;
            watch.check(progress, () -> s == null ? 0 : s.busySince());
        });
        // on a thread of its own: a destination whose disk stalls holds up the flush, not the lag probe
        watchers.every("migration-flush", LAG_PROBE_MILLIS, () -> {
            ApplySession s = session;
            if (s != null && !s.durableOnCommit()) {
                flushes.acknowledge(progress.applied(), stream);
            }
        });
        Duration backoff = Duration.ofSeconds(1);
        try {
            definitions.load();
            while (!cancelled) {
                long appliedBefore = progress.transactions();
                try {
                    followOnce();
                    return;
                } catch (ApplyException e) {
                    throw e;
                } catch (LogicalReplicationException e) {
                    if (cancelled) {
                        return;
                    }
                    if (!e.reason().isTransient()) {
                        throw e;
                    }
                    retryLater("cannot reach the source: " + e.getMessage(), backoff);
                } catch (SQLException e) {
                    if (cancelled) {
                        return;
                    }
                    if (!SqlFaults.connectionFault(e) && !Origins.IN_USE.equals(e.getSQLState())) {
                        throw new ApplyException("the destination failed: " + SqlFaults.cause(e), e);
                    }
                    retryLater((SqlFaults.connectionFault(e) ? "cannot reach the destination " : "the destination ") + job.destination().redacted()
                            + ": " + SqlFaults.cause(e), backoff);
                } catch (IllegalStateException e) {
                    if (cancelled) {
                        return; // the stream was closed by cancel()
                    }
                    throw e;
                }
                backoff = progress.transactions() > appliedBefore ? Duration.ofSeconds(1) : min(backoff.multipliedBy(2), MAX_BACKOFF);
            }
        } finally {
            progress.ended();
            watchers.close();
            probe.close(); // after their threads ended: a look under way would open its connection again
            watch.close();
            flushes.close();
        }
    }

    private void followOnce() throws SQLException, InterruptedException {
        Connection dst = job.destination().connectReadWrite(); // a fallback applies to a source whose writes a switchover stopped
        applying = dst;
        ChangeStream s = null;
        Connection catalog;
        try {
            catalog = job.destination().connect();
        } catch (SQLException e) {
            dst.close();
            throw e;
        }
        try (ApplySession session = new ApplySession(dst, catalog, job.origin(), ORIGIN_WAIT, progress::trouble, definitions.latest())) {
            this.session = session;
            if (!session.replicaRole()) {
                say.info("the destination's user may not set session_replication_role: its triggers fire and foreign keys are checked "
                        + "again as changes are applied");
            }
            // flushed: the new stream reports where it starts to the source as done
            Lsn from = Lsn.max(session.flushed(), job.startAt());
            progress.startedAt(from);
            s = ChangeStream.builder(job.source()).slot(job.slot()).publications(job.publication()).startAt(from)
                    .applicationName("pgcorral migration " + job.migrationId()).open();
            stream = s;
            if (cancelled) {
                return;
            }
            definitions.seed(job.source(), job.publication());
            progress.trouble(null);
            say.info("following from " + (from.isValid() ? from : "the slot's position") + " (slot " + job.slot() + ")");
            apply(s, session);
        } finally {
            applying = null;
            session = null;
            stream = null;
            if (s != null) {
                s.close();
            }
        }
    }

    /** The loop: messages in, destination transactions out. */
    private void apply(ChangeStream s, ApplySession session) throws SQLException, InterruptedException {
        ApplyGroup group = new ApplyGroup();
        notFlushed = null;
        SchemaChanges changes = null; // the schema changes of the transaction being read, which stop the follow at its end
        // a table the destination lacks, written by the transaction being read: it is read to its end, since a statement that
        // creates and fills a table (CREATE TABLE … AS) is captured after its rows, and one stop then says both
        TableMissingException missing = null;
        while (!cancelled) {
            if (notFollowed != null) {
                throw new ApplyException(notFollowed);
            }
            ReplicationMessage message = s.poll(group.lastEnd == null ? IDLE_WAIT : Duration.ZERO);
            if (message == null) {
                if (group.lastEnd != null) {
                    commit(s, session, group);
                } else if (notFlushed != null) {
                    // quiet for a while: the source hears what is on disk, and a destination that crashed is found (this
                    // reads it on the apply's session), so the commits its crash took back are applied again
                    acknowledgeFlushed(s, session);
                }
                session.check();
            } else if (message instanceof Begin b) {
                progress.received(b.commitTime());
                group.skipping = false;
                group.changesOfThisTransaction = 0;
                if (group.lastEnd == null) {
                    group.started = System.nanoTime();
                }
            } else if (message instanceof ReplicationMessage.Type t) {
                session.type(t);
            } else if (message instanceof Origin) {
                group.skipping = job.skipReplicated();
            } else if (message instanceof RelationMessage r) {
                if (changes == null && missing == null) { // after a schema change its tables may not match yet: the next run defines them again
                    commitFinished(s, session, group);
                    try {
                        session.relation(r.relation());
                        definitions.taken(r.relation());
                    } catch (TableMissingException e) {
                        missing = e;
                    }
                }
            } else if (message instanceof Commit c) {
                if (changes != null) {
                    throw changes.stop(missing);
                }
                if (missing != null) {
                    throw missing;
                }
                group.lastEnd = c.endLsn();
                group.lastCommitTime = c.commitTime();
                group.transactions++;
                if (group.full()) {
                    commit(s, session, group);
                }
            } else if (message instanceof Message m && m.transactional() && SourceReplication.prefixOf(m.prefix(), SourceReplication.NOTE_PREFIX, job.slot())) {
                String statement = m.contentAsString().strip();
                say.warn("schema_change_not_followed", "a schema change on the source that the follow goes on past, and that the "
                        + "destination needs too (do the same there before the switchover): " + statement, Map.of("statement", statement));
            } else if (message instanceof Message m && m.transactional() && SourceReplication.prefixOf(m.prefix(), SourceReplication.DDL_PREFIX, job.slot())) {
                if (job.passDdlAt() != null && !m.messageLsn().isAfter(job.passDdlAt())) {
                    say.info("passing the schema change at " + m.messageLsn() + ", which the follow stopped at: a start after that stop takes it as "
                            + "applied to the destination by hand: " + m.contentAsString().strip());
                } else {
                    if (changes == null) {
                        commitFinished(s, session, group);
                        changes = new SchemaChanges();
                    }
                    changes.add(m.messageLsn(), m.contentAsString());
                }
            } else if (message instanceof Resumed r) {
                // the source connection broke: what it sent after the last acknowledged commit comes again
                session.rollback();
                group.reset();
                changes = null;
                missing = null;
                say.event("stream_resumed", "the source connection was lost and the stream resumed from " + r.position() + ": " + r.reason());
            } else if (!group.skipping && changes == null && missing == null && change(session, message)) {
                group.changes++;
                group.changesOfThisTransaction++;
                progress.changed();
            }
        }
    }

    /**
     * Commits the group's finished transactions where the one being read has applied nothing yet: done before a table's
     * (new) definition or a schema change, so that one the destination does not match yet stops the follow after them.
     * Otherwise they would be rolled back with it, and replayed after the user changed the destination, under their
     * old definitions, which it then no longer matches.
     */
    private void commitFinished(ChangeStream s, ApplySession session, ApplyGroup group) throws SQLException {
        if (group.lastEnd != null && group.changesOfThisTransaction == 0) {
            commit(s, session, group);
            group.started = System.nanoTime();
        }
    }

    /** Applies a row change; false for anything else (a logical message). */
    private static boolean change(ApplySession session, ReplicationMessage message) throws SQLException {
        if (message instanceof Insert i) {
            session.insert(i);
        } else if (message instanceof Update u) {
            session.update(u);
        } else if (message instanceof Delete d) {
            session.delete(d);
        } else if (message instanceof Truncate t) {
            session.truncate(t);
        } else {
            return false;
        }
        return true;
    }

    /**
     * Commits the group; the source is acknowledged once the destination has it on disk: at once where a commit waits for
     * the disk, else once quiet ({@link #acknowledgeFlushed}) or by the {@link FlushAcknowledger} meanwhile.
     */
    private void commit(ChangeStream s, ApplySession session, ApplyGroup group) throws SQLException {
        Lsn end = group.lastEnd;
        Instant time = group.lastCommitTime;
        int transactions = group.transactions;
        session.commit(end, time, () -> {
            if (session.durableOnCommit()) {
                s.acknowledge(end);
            } else {
                s.applied(end); // a reconnect to the source starts after it
                notFlushed = end;
            }
            progress.committed(end, time, transactions);
        });
        group.reset();
    }

    /** Acknowledges to the source what the destination has on disk (flushing its WAL up to the last commit). */
    private void acknowledgeFlushed(ChangeStream s, ApplySession session) throws SQLException {
        Lsn flushed = session.flushed();
        s.acknowledge(flushed);
        if (!flushed.isBefore(notFlushed)) {
            notFlushed = null;
        }
    }

    private void retryLater(String problem, Duration wait) throws InterruptedException {
        String message = problem + "; retrying in " + wait.toSeconds() + " s";
        progress.trouble(message);
        say.retrying(message);
        synchronized (this) {
            if (!cancelled) {
                wait(wait.toMillis()); // cancel() wakes it
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
