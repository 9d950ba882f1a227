package dev.pgcorral.common.logical;

/**
 * Logical replication could not do what was asked. {@link #reason()} says why in a form code can
 * act on; the message says it in words a person can act on, naming the server setting or right
 * involved, and never contains a password.
 */
public class LogicalReplicationException extends RuntimeException {

    public enum Reason {
        /** The server runs with {@code wal_level} below {@code logical}. */
        WAL_LEVEL(false),
        /** Every replication slot is taken ({@code max_replication_slots}). */
        NO_FREE_SLOT(false),
        /** Every WAL sender is busy ({@code max_wal_senders}); one may free up soon. */
        NO_FREE_WAL_SENDER(true),
        /** The user lacks the REPLICATION attribute (or superuser). */
        NOT_A_REPLICATION_USER(false),
        /** The user may not do this (create a publication, read a table, ...). */
        PERMISSION_DENIED(false),
        /** Another connection is streaming from the slot. */
        SLOT_ACTIVE(true),
        SLOT_MISSING(false),
        SLOT_EXISTS(false),
        PUBLICATION_MISSING(false),
        PUBLICATION_EXISTS(false),
        /** The server cannot be reached. */
        UNREACHABLE(true),
        /** The server refused the login: wrong user or password, no pg_hba.conf entry, no such database. */
        LOGIN_FAILED(false),
        /** The connection broke while in use (a restart, {@code pg_terminate_backend}, a network fault). */
        CONNECTION_LOST(true),
        /** Anything else the server answered. */
        FAILED(false);

        private final boolean transientFault;

        Reason(boolean transientFault) {
            this.transientFault = transientFault;
        }

        /** Trying again later may succeed (the stream reconnects by itself on these). */
        public boolean isTransient() {
            return transientFault;
        }
    }

    private final Reason reason;

    public LogicalReplicationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
