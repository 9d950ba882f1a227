package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.migration.clone.Finishing;

/**
 * The switchover's sequences: pgoutput carries no sequence change, so once the source's writes have stopped every
 * sequence of the source is set on the destination to the source's value. One the destination lacks (made on the source
 * while following) is found before anything is changed.
 */
final class SequenceCopy {

    private final ConnectionDetails source;
    private final ConnectionDetails destination;

    SequenceCopy(ConnectionDetails source, ConnectionDetails destination) {
        this.source = source;
        this.destination = destination;
    }

    /** Refuses, before anything is changed, a switchover whose destination lacks a sequence of the source. */
    void checkThere() throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Connection src = source.connect(); Connection dst = destination.connect();
             PreparedStatement st = dst.prepareStatement("SELECT to_regclass(?) IS NULL")) {
            for (String[] name : Finishing.sequenceNames(src)) {
                st.setString(1, Identifiers.quote(name[0]) + "." + Identifiers.quote(name[1]));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        missing.add(name[0] + "." + name[1]);
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the destination lacks sequence(s) " + String.join(", ", missing) + ", which the switchover "
                    + "sets to the source's values (a sequence made on the source while following is not carried): create them there "
                    + "as on the source; the source's writes were not touched");
        }
    }

    /** Sets each sequence of the source on the destination to its value on the source; returns how many. */
    int copy() throws SQLException {
        List<Finishing.SequenceValue> values;
        try (Connection src = source.connect()) {
            values = Finishing.sequences(src);
        }
        try (Connection dst = destination.connectReadWrite()) {
            Finishing.setSequences(dst, values);
        }
        return values.size();
    }
}
