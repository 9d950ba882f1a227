package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Consumer;

import dev.pgcorral.common.logical.ChangeStream;
import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/**
 * The source's current WAL position and how far the slot is confirmed, every {@value Follower#LAG_PROBE_MILLIS} ms on a
 * connection of its own, for the lag; and every {@value #TABLES_PROBE_EVERY}th time, whether the publication carries every
 * table. The slot's position tells how far the follow is also while no stream runs (the destination is not reached yet).
 */
final class LagProbe implements AutoCloseable {

    /** The name the probe's session has on the source (a switchover leaves that session alone: it only reads). */
    static String probeName(String migrationId) {
        return "pgcorral lag probe " + migrationId;
    }

    private static final int TABLES_PROBE_EVERY = 25;
    private final String slot;
    private final String publication;
    private final ProbeConnection connection;
    private int probes;
    /** The trouble says the stream reconnects to the source. */
    private boolean sourceLost;

    LagProbe(ConnectionDetails source, String migrationId, String slot, String publication) {
        this.connection = new ProbeConnection(source, probeName(migrationId));
        this.slot = slot;
        this.publication = publication;
    }

    void probe(FollowProgress progress, ChangeStream stream, Consumer<String> notFollowed) {
        String lost = stream == null ? null : stream.progress().reconnecting();
        if (lost != null) {
            progress.trouble("cannot reach the source, reconnecting: " + lost);
            sourceLost = true;
        } else if (sourceLost) {
            progress.trouble(null);
            sourceLost = false;
        }
        try {
            Connection connection = this.connection.get();
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_current_wal_lsn()::text, "
                    + "(SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?)")) {
                st.setString(1, slot);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    Lsn slotConfirmed = rs.getString(2) == null ? Lsn.INVALID : Lsn.parse(rs.getString(2));
                    ChangeStream.Progress read = stream == null ? null : stream.progress();
                    progress.probed(Lsn.parse(rs.getString(1)), read == null ? slotConfirmed : Lsn.max(read.confirmed(), slotConfirmed),
                            read == null ? Lsn.INVALID : read.received());
                }
            }
            if (probes++ % TABLES_PROBE_EVERY == 0) {
                String found = SourceReplication.notFollowed(connection, publication);
                if (found != null) {
                    notFollowed.accept(found);
                }
            }
        } catch (SQLException | RuntimeException e) {
            progress.lagUnknown(); // the last reading would go on showing a lag long past
            close();
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
