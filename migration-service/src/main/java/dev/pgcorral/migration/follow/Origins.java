package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Lsn;

/** A migration's replication origin on its destination: how far the follow applied, recorded with the rows. */
public final class Origins {

    private Origins() {
    }

    /** The end of the last source transaction the destination committed; {@link Lsn#INVALID} when none (or no origin). */
    public static Lsn progress(Connection connection, String origin) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT coalesce(pg_replication_origin_progress(?, false)::text, '0/0') WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            st.setString(1, origin);
            st.setString(2, origin);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Lsn.parse(rs.getString(1)) : Lsn.INVALID;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
            }
        }
    }

    /** Drops the origin (a new clone begins, or the migration is deleted); none is fine. */
    public static void drop(ConnectionDetails destination, String origin) throws SQLException {
        try (Connection c = destination.connect();
             PreparedStatement st = c.prepareStatement(
                     "SELECT pg_replication_origin_drop(?) WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            st.setString(1, origin);
            st.setString(2, origin);
            st.execute();
        }
    }
}
