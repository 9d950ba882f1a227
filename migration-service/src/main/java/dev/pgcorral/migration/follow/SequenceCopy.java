package dev.pgcorral.migration.follow;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.common.pg.Relations;
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
        List<String> missing;
        try (Connection src = source.connect(); Connection dst = destination.connect()) {
            Map<String, String> named = new LinkedHashMap<>();
            for (String[] name : Finishing.sequenceNames(src)) {
                named.put(Identifiers.quote(name[0]) + "." + Identifiers.quote(name[1]), name[0] + "." + name[1]);
            }
            missing = Relations.missing(dst, named);
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
