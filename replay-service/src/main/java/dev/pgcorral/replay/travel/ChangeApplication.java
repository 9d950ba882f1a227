package dev.pgcorral.replay.travel;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import java.util.function.LongConsumer;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.checkpoint.Checkpoint;

/** Applies a range of a session's change log to a database and sets its sequences for the point reached. */
final class ChangeApplication {

    private final ChangeLog log;
    private final int batchEntries;

    ChangeApplication(ChangeLog log, int batchEntries) {
        this.log = log;
        this.batchEntries = batchEntries;
    }

    /**
     * Applies entries {@code (afterSeq, toSeq]} to {@code database}; in one transaction when {@code atomic}, else
     * committed every batch. {@code at} is the checkpoint at {@code toSeq} (null for a commit between checkpoints).
     */
    void apply(UUID session, long afterSeq, long toSeq, ConnectionDetails database, boolean atomic, Checkpoint at,
               LongConsumer progress) throws SQLException {
        try (Connection c = database.connect(); Applier applier = new Applier(c)) {
            long[] applied = {0};
            SQLException[] failure = {null};
            log.forEach(session, afterSeq, toSeq, change -> {
                if (failure[0] != null) {
                    return;
                }
                try {
                    applier.apply(change);
                    applied[0]++;
                    if (applied[0] % batchEntries == 0) {
                        if (!atomic) {
                            c.commit();
                        }
                        progress.accept(applied[0]);
                    }
                } catch (SQLException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                c.rollback();
                throw failure[0];
            }
            if (at != null) {
                Sequences.setRecorded(c, at.sequences());
            } else {
                Sequences.raiseToData(c);
            }
            c.commit();
            progress.accept(applied[0]);
        }
    }
}
