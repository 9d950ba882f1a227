package dev.pgcorral.replay.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.logical.Relation;
import dev.pgcorral.common.logical.ReplicationMessage;
import dev.pgcorral.common.logical.Row;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.replay.ReplayProperties;
import dev.pgcorral.replay.session.Session;
import dev.pgcorral.replay.session.SourceSetup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Captures one session: reads its slot, turns each transaction into change log entries and commits them
 * in batches to the metadata database; only then acknowledges the transactions to the source. A
 * transaction already stored (its commit position at or before the stored one, as after a restart) is
 * skipped, so every source transaction is stored exactly once. Reconnects on its own; when the source
 * stays away the session is marked FAILED and retried until it is back.
 */
final class CaptureWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(CaptureWorker.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Session session;
    private final MetadataConnections metadata;
    private final ReplayProperties.Capture settings;
    private final CaptureEvents events;
    private final RelationVersions relations;
    private final ChangeWriter writer;
    private volatile boolean stopped;
    private volatile ChangeStream stream;
    private Thread thread;

    // committed state, and the state of the metadata transaction in progress
    private long storedEntries;
    private Lsn storedLsn;
    private long nextSeq;
    private Lsn batchLsn;
    private Instant batchCommitTime;
    private Lsn batchEndLsn;
    private int batchTransactions;
    private long batchStartedNanos;
    private final List<Object[]> batchCheckpoints = new ArrayList<>();

    // the transaction being read
    private ReplicationMessage.Begin open;
    private boolean skipping;

    CaptureWorker(Session session, MetadataConnections metadata, ReplayProperties.Capture settings, CaptureEvents events) {
        this.session = session;
        this.metadata = metadata;
        this.settings = settings;
        this.events = events;
        this.relations = new RelationVersions(session.id());
        this.writer = new ChangeWriter(session.id());
    }

    synchronized void start() {
        thread = new Thread(this, "capture-" + session.shortId());
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops reading and waits for the thread; what was committed stays acknowledged. */
    void stop() {
        stopped = true;
        ChangeStream s = stream;
        if (s != null) {
            s.close();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    ChangeStream.Progress progress() {
        ChangeStream s = stream;
        return s == null ? null : s.progress();
    }

    @Override
    public void run() {
        Duration backoff = Duration.ofMillis(500);
        while (!stopped) {
            try (Connection meta = metadata.connect()) {
                meta.setAutoCommit(false);
                loadState(meta);
                try (ChangeStream opened = ChangeStream.builder(session.source()).slot(session.slot())
                        .publications(session.publication()).messages(true).statusInterval(settings.statusInterval())
                        .applicationName("pgcorral-replay " + session.shortId()).open()) {
                    stream = opened;
                    events.resumed(session.id());
                    backoff = Duration.ofMillis(500);
                    consume(opened, meta);
                }
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                String why = e.getMessage();
                log.warn("session {}: capture stopped: {}; retrying in {} ms", session.id(), why, backoff.toMillis());
                try {
                    events.failed(session.id(), why);
                } catch (RuntimeException recording) {
                    // the metadata database may be what failed: capture retries all the same
                    log.warn("session {}: cannot record the failure: {}", session.id(), recording.getMessage());
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : backoff.multipliedBy(2);
            } finally {
                stream = null;
            }
        }
    }

    private void loadState(Connection meta) throws SQLException {
        try (PreparedStatement st = meta.prepareStatement("SELECT entries, stored_lsn FROM replay.sessions WHERE id = ?")) {
            st.setObject(1, session.id());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("session " + session.id() + " is gone");
                }
                storedEntries = rs.getLong(1);
                storedLsn = new Lsn(rs.getLong(2));
            }
        }
        meta.commit();
        relations.load(meta);
        meta.commit();
        writer.use(meta);
        resetBatch();
    }

    private void resetBatch() throws SQLException {
        nextSeq = storedEntries + 1;
        batchLsn = null;
        batchCommitTime = null;
        batchEndLsn = null;
        batchTransactions = 0;
        batchCheckpoints.clear();
        writer.discard();
        open = null;
        skipping = false;
    }

    private void consume(ChangeStream s, Connection meta) throws InterruptedException, SQLException {
        Duration pollWait = settings.flushInterval().dividedBy(2).isZero() ? Duration.ofMillis(1) : settings.flushInterval().dividedBy(2);
        while (!stopped) {
            ReplicationMessage m = s.poll(pollWait);
            if (m == null) {
                if (open == null && batchTransactions > 0) {
                    commit(s, meta);
                }
                continue;
            }
            if (m instanceof ReplicationMessage.Begin b) {
                open = b;
                skipping = !b.finalLsn().isAfter(storedLsn);
            } else if (m instanceof ReplicationMessage.Commit c) {
                onCommit(s, meta, c);
            } else if (m instanceof ReplicationMessage.Resumed) {
                writer.discard();
                meta.rollback();
                relations.discardPending(meta);
                meta.commit();
                resetBatch();
            } else if (m instanceof ReplicationMessage.RelationMessage r) {
                relations.observe(r.relation(), session.source());
            } else if (open != null && !skipping) {
                onChange(meta, m);
            }
        }
    }

    private void onChange(Connection meta, ReplicationMessage m) throws SQLException {
        if (m instanceof ReplicationMessage.Insert i) {
            entry(m, "INSERT", i.relation(), i.newRow(), null, null, null, null);
        } else if (m instanceof ReplicationMessage.Update u) {
            entry(m, "UPDATE", u.relation(), u.newRow(), u.oldRow(), u.oldKind(), null, null);
        } else if (m instanceof ReplicationMessage.Delete d) {
            entry(m, "DELETE", d.relation(), null, d.oldRow(), d.oldKind(), null, null);
        } else if (m instanceof ReplicationMessage.Truncate t) {
            StringBuilder sql = new StringBuilder("TRUNCATE ONLY ");
            for (int k = 0; k < t.relations().size(); k++) {
                sql.append(k == 0 ? "" : ", ").append(t.relations().get(k).qualifiedName());
            }
            sql.append(t.restartIdentity() ? " RESTART IDENTITY" : "").append(t.cascade() ? " CASCADE" : "");
            entry(m, "TRUNCATE", t.relations().get(0), null, null, null, sql.toString(), null);
        } else if (m instanceof ReplicationMessage.Message msg && msg.transactional()) {
            onMessage(msg);
        }
        if (writer.buffered() >= settings.batchEntries()) {
            writer.flush();
            relations.writePending(meta);
        }
    }

    private void onMessage(ReplicationMessage.Message msg) throws SQLException {
        if (msg.prefix().equals(session.messagePrefix() + SourceSetup.DDL)) {
            JsonNode ddl = JSON.readTree(msg.contentAsString());
            String statement = DdlStatements.pick(ddl.path("sql").asString(), ddl.path("n").asInt(1));
            if (statement != null) {
                add(msg.position(), "DDL", null, null, null, null, null, null, statement, ddl.path("search_path").asString());
            }
        } else if (msg.prefix().equals(session.messagePrefix() + SourceSetup.CHECKPOINT)) {
            try {
                batchCheckpoints.add(new Object[] {UUID.fromString(msg.contentAsString().strip()), nextSeq - 1, open.finalLsn().value()});
            } catch (IllegalArgumentException e) {
                log.warn("session {}: a checkpoint message without a checkpoint id: {}", session.id(), msg.contentAsString());
            }
        }
    }

    private void entry(ReplicationMessage m, String operation, Relation relation, Row data, Row old, ReplicationMessage.OldRow oldKind,
                       String statement, String searchPath) throws SQLException {
        RelationVersions.Version version = relations.observe(relation, session.source());
        add(m.position(), operation, relation.schema(), relation.table(), version.version(), data, old, oldKind, statement, searchPath);
    }

    private void add(Lsn position, String operation, String schema, String table, Integer version, Row data, Row old,
                     ReplicationMessage.OldRow oldKind, String statement, String searchPath) throws SQLException {
        boolean hasOld = old != null;
        writer.add(nextSeq++, open.xid(), open.finalLsn(), open.commitTime(), position, operation, schema, table, version, data,
                old, hasOld && oldKind == ReplicationMessage.OldRow.KEY, hasOld ? oldKind.name() : null, statement, searchPath);
    }

    private void onCommit(ChangeStream s, Connection meta, ReplicationMessage.Commit c) throws SQLException {
        boolean skipped = skipping;
        open = null;
        skipping = false;
        if (skipped) {
            if (batchTransactions == 0) {
                s.acknowledge(c.endLsn());
            }
            return;
        }
        if (batchTransactions == 0) {
            batchStartedNanos = System.nanoTime();
        }
        batchTransactions++;
        batchLsn = c.commitLsn();
        batchCommitTime = c.commitTime();
        batchEndLsn = c.endLsn();
        if (nextSeq - 1 - storedEntries >= settings.batchEntries()
                || System.nanoTime() - batchStartedNanos >= settings.flushInterval().toNanos()) {
            commit(s, meta);
        }
    }

    /**
     * Commits the batch to the metadata database, then acknowledges it to the source. A session deleted
     * meanwhile keeps nothing: the batch is rolled back and capture ends.
     */
    private void commit(ChangeStream s, Connection meta) throws SQLException {
        writer.flush();
        relations.writePending(meta);
        long entries = nextSeq - 1;
        try (PreparedStatement st = meta.prepareStatement(
                "UPDATE replay.sessions SET entries = ?, stored_lsn = ?, stored_at = ? WHERE id = ?")) {
            st.setLong(1, entries);
            st.setLong(2, batchLsn.value());
            st.setTimestamp(3, Timestamp.from(batchCommitTime));
            st.setObject(4, session.id());
            if (st.executeUpdate() == 0) {
                meta.rollback();
                stopped = true;
                log.info("session {} was deleted: capture ends", session.id());
                return;
            }
        }
        List<UUID> checkpoints = new ArrayList<>();
        if (!batchCheckpoints.isEmpty()) {
            try (PreparedStatement st = meta.prepareStatement(
                    "UPDATE replay.checkpoints SET entry_index = ?, commit_lsn = ? WHERE id = ? AND session_id = ?")) {
                for (Object[] cp : batchCheckpoints) {
                    st.setLong(1, (Long) cp[1]);
                    st.setLong(2, (Long) cp[2]);
                    st.setObject(3, cp[0]);
                    st.setObject(4, session.id());
                    st.addBatch();
                    checkpoints.add((UUID) cp[0]);
                }
                st.executeBatch();
            }
        }
        meta.commit();
        long added = entries - storedEntries;
        storedEntries = entries;
        storedLsn = batchLsn;
        s.acknowledge(batchEndLsn);
        int transactions = batchTransactions;
        Instant commitTime = batchCommitTime;
        resetBatch();
        events.stored(session.id(), added, transactions, storedLsn, commitTime, checkpoints);
    }
}
