package dev.pgcorral.common.logical;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.assertj.core.api.Assertions;

import dev.pgcorral.common.pg.ConnectionDetails;

/** Test helpers that read a stream as a consumer would. */
final class Streams {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private Streams() {
    }

    /** A slot and an all-tables publication named {@code name} in {@code db}, and a stream from them. */
    static ChangeStream open(ConnectionDetails db, String name) {
        new Publications(db).createForAllTables(name);
        new ReplicationSlots(db).create(name);
        return ChangeStream.builder(db).slot(name).publications(name).open();
    }

    /** The next message, failing the test when none comes within a minute. */
    static ReplicationMessage next(ChangeStream stream) throws InterruptedException {
        ReplicationMessage message = stream.poll(PATIENCE);
        if (message == null) {
            Assertions.fail("no message within " + PATIENCE + "; progress " + stream.progress());
        }
        return message;
    }

    /** The next whole transaction, Begin to Commit, skipping relation and type descriptions. */
    static List<ReplicationMessage> nextTransaction(ChangeStream stream) throws InterruptedException {
        List<ReplicationMessage> transaction = new ArrayList<>();
        ReplicationMessage message;
        do {
            message = next(stream);
            if (!(message instanceof ReplicationMessage.RelationMessage) && !(message instanceof ReplicationMessage.Type)
                    && (!transaction.isEmpty() || message instanceof ReplicationMessage.Begin)) {
                transaction.add(message);
            }
        } while (!(message instanceof ReplicationMessage.Commit) || transaction.isEmpty());
        return transaction;
    }

    /** The changes of the next transaction, without its Begin and Commit. */
    static List<ReplicationMessage> nextChanges(ChangeStream stream) throws InterruptedException {
        List<ReplicationMessage> transaction = nextTransaction(stream);
        return transaction.subList(1, transaction.size() - 1);
    }

    @SuppressWarnings("unchecked")
    static <T extends ReplicationMessage> T only(List<ReplicationMessage> changes, Class<T> type) {
        Assertions.assertThat(changes).hasSize(1);
        Assertions.assertThat(changes.get(0)).isInstanceOf(type);
        return (T) changes.get(0);
    }
}
