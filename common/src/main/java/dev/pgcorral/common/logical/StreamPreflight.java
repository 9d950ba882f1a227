package dev.pgcorral.common.logical;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.pgcorral.common.pg.Lsn;

/** What a stream checks on the source before it starts streaming, so that a mistake gets a clear message at once. */
final class StreamPreflight {

    private StreamPreflight() {
    }

    /**
     * Checks what the source would otherwise report late or vaguely (pgoutput names a missing
     * publication only when the first change arrives): that the publications and the slot exist and the slot
     * suits pgoutput in the source's database. Returns the slot's confirmed position.
     */
    static Lsn check(ChangeStream.Builder settings, String describe) {
        try (Connection c = settings.source.connect()) {
            try (PreparedStatement st = c.prepareStatement("SELECT array_agg(p) FROM unnest(?::text[]) p "
                    + "WHERE NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = p)")) {
                st.setArray(1, c.createArrayOf("text", settings.publications.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    java.sql.Array missing = rs.getArray(1);
                    if (missing != null) {
                        throw new LogicalReplicationException(LogicalReplicationException.Reason.PUBLICATION_MISSING,
                                "streaming from " + describe + " failed: publication " + String.join(", ", (String[]) missing.getArray())
                                        + " does not exist in database " + settings.source.database()
                                        + "; create it (CREATE PUBLICATION …) or name one that exists (see pg_publication)", null);
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT coalesce(plugin, ''), coalesce(database, ''), "
                    + "coalesce(confirmed_flush_lsn::text, '0/0'), slot_type FROM pg_replication_slots WHERE slot_name = ?")) {
                st.setString(1, settings.slot);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        throw new LogicalReplicationException(LogicalReplicationException.Reason.SLOT_MISSING,
                                "streaming from " + describe + " failed: the replication slot does not exist; create it first "
                                        + "(see pg_replication_slots)", null);
                    }
                    if (!"logical".equals(rs.getString(4))) {
                        throw new LogicalReplicationException(LogicalReplicationException.Reason.FAILED,
                                "streaming from " + describe + " failed: the slot is a " + rs.getString(4) + " slot (a standby's); "
                                        + "logical replication needs a logical slot with plugin 'pgoutput' in database '"
                                        + settings.source.database() + "'", null);
                    }
                    if (!"pgoutput".equals(rs.getString(1)) || !settings.source.database().equals(rs.getString(2))) {
                        throw new LogicalReplicationException(LogicalReplicationException.Reason.FAILED,
                                "streaming from " + describe + " failed: the slot belongs to database '" + rs.getString(2)
                                        + "' with plugin '" + rs.getString(1) + "'; it needs database '"
                                        + settings.source.database() + "' and plugin 'pgoutput'", null);
                    }
                    return Lsn.parse(rs.getString(3));
                }
            }
        } catch (SQLException e) {
            throw ReplicationErrors.translate("looking up the slot and publications for " + describe, e);
        }
    }
}
