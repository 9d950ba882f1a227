package dev.pgcorral.common.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.postgresql.replication.ReplicationSlotInfo;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * Logical replication slots (plugin {@code pgoutput}) of one source database: create (with an
 * exported snapshot for a base copy, or without), look up, drop. Failures are
 * {@link LogicalReplicationException}s naming the cause and the setting to change. Thread-safe:
 * each call opens its own connection.
 */
public final class ReplicationSlots {

    /** PostgreSQL's rule for slot names. */
    private static final Logger log = LoggerFactory.getLogger(ReplicationSlots.class);
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    private final ConnectionDetails source;

    public ReplicationSlots(ConnectionDetails source) {
        this.source = source;
    }

    /**
     * Creates {@code slot} and keeps the snapshot it exported open in the returned object: read the
     * base copy through it, then close it. The slot stays until {@link #drop(String)}.
     */
    public ExportedSnapshot createWithSnapshot(String slot) {
        checkName(slot);
        PGConnection connection = null;
        try {
            connection = ReplicationConnections.open(source, "pgcorral slot " + slot);
            ReplicationSlotInfo info = connection.getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot).withOutputPlugin("pgoutput").make();
            return new ExportedSnapshot(slot, ReplicationConnections.fromPg(info.getConsistentPoint()),
                    info.getSnapshotName(), connection);
        } catch (SQLException e) {
            ReplicationConnections.closeQuietly(connection);
            throw ReplicationErrors.translate("creating replication slot " + slot + " on " + source.redacted(), e);
        }
    }

    /** Creates {@code slot} without a snapshot; returns its consistent point, where its stream begins. */
    public Lsn create(String slot) {
        checkName(slot);
        try (Connection c = source.connectReadWrite();
             PreparedStatement st = c.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return Lsn.parse(rs.getString(1));
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("creating replication slot " + slot + " on " + source.redacted(), e);
        }
    }

    /** The slot named {@code slot} on this server, if there is one. */
    public Optional<SlotInfo> find(String slot) {
        try (Connection c = source.connectReadWrite();
             PreparedStatement st = c.prepareStatement("""
                     SELECT slot_name, coalesce(plugin, ''), coalesce(database, ''), temporary, active,
                            coalesce(active_pid, 0), coalesce(restart_lsn::text, '0/0'),
                            coalesce(confirmed_flush_lsn::text, '0/0'), coalesce(wal_status, '')
                     FROM pg_replication_slots WHERE slot_name = ?""")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SlotInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getBoolean(5), rs.getInt(6), Lsn.parse(rs.getString(7)), Lsn.parse(rs.getString(8)), rs.getString(9)));
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("looking up replication slot " + slot + " on " + source.redacted(), e);
        }
    }

    /**
     * Moves a logical slot's confirmed position up to {@code to}, what its consumer has applied for good, so that a stream
     * started from the slot does not send again what comes before; a slot there or further already stays. A slot still
     * streamed (the WAL sender of a stream just closed exits on its own time) is waited for, about 5 s at most. Returns
     * the slot's confirmed position afterwards.
     *
     * @throws LogicalReplicationException when there is no such slot, or it stays in use, or the source cannot be reached
     */
    public Lsn advance(String slot, Lsn to) {
        return whileInUse(() -> advanceOnce(slot, to));
    }

    private Lsn advanceOnce(String slot, Lsn to) {
        try (Connection c = source.connectReadWrite()) {
            if (c.getMetaData().getDatabaseMajorVersion() < 11) {
                throw new LogicalReplicationException(LogicalReplicationException.Reason.FAILED, "PostgreSQL "
                        + c.getMetaData().getDatabaseProductVersion() + " on " + source.redacted() + " cannot move a replication slot "
                        + "(pg_replication_slot_advance came with 11)", null);
            }
            return advanceOnce(c, slot, to);
        } catch (SQLException e) {
            throw ReplicationErrors.translate("moving replication slot " + slot + " on " + source.redacted() + " up to " + to, e);
        }
    }

    private Lsn advanceOnce(Connection c, String slot, Lsn to) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                     SELECT CASE WHEN confirmed_flush_lsn < ?::pg_lsn
                                 THEN (pg_replication_slot_advance(slot_name, ?::pg_lsn)).end_lsn
                                 ELSE confirmed_flush_lsn END::text
                     FROM pg_replication_slots WHERE slot_name = ?""")) {
            st.setString(1, to.toString());
            st.setString(2, to.toString());
            st.setString(3, slot);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new LogicalReplicationException(LogicalReplicationException.Reason.SLOT_MISSING,
                            "replication slot " + slot + " does not exist on " + source.redacted(), null);
                }
                return Lsn.parse(rs.getString(1));
            }
        }
    }

    /**
     * Runs {@code attempt} again while it fails on a slot still in use ({@link LogicalReplicationException.Reason#SLOT_ACTIVE}):
     * the WAL sender of a stream just closed, or one ended, exits on its own time. Every 100 ms, about 5 s at most.
     */
    private static <T> T whileInUse(Supplier<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.get();
            } catch (LogicalReplicationException e) {
                if (e.reason() != LogicalReplicationException.Reason.SLOT_ACTIVE || n == 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100); // nothing to wait on from here but time
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Drops {@code slot}; returns false when there was none.
     *
     * @throws LogicalReplicationException {@link LogicalReplicationException.Reason#SLOT_ACTIVE} while a stream reads it
     */
    public boolean drop(String slot) {
        try (Connection c = source.connectReadWrite();
             PreparedStatement st = c.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("dropping replication slot " + slot + " on " + source.redacted(), e);
        }
    }

    /**
     * Drops {@code slot} even while a WAL sender still streams it (one left over from a stream just
     * closed, or another consumer): that backend is ended and the drop retried while it exits, for up to
     * about 5 s. Returns false when there was no such slot.
     */
    public boolean dropEndingItsUser(String slot) {
        return whileInUse(() -> {
            try (Connection c = source.connectReadWrite();
                 PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                         + "WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                st.setString(1, slot);
                st.execute();
            } catch (SQLException e) {
                log.debug("cannot end the user of slot {}: {}", slot, e.getMessage());
            }
            return drop(slot);
        });
    }

    static void checkName(String slot) {
        if (slot == null || !SLOT_NAME.matcher(slot).matches()) {
            throw new IllegalArgumentException("'" + slot + "' is not a valid replication slot name: use 1 to 63 "
                    + "lower-case letters, digits and underscores");
        }
    }
}
