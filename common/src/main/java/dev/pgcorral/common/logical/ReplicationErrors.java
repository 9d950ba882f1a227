package dev.pgcorral.common.logical;

import java.sql.SQLException;

import dev.pgcorral.common.logical.LogicalReplicationException.Reason;

/** Turns what PostgreSQL answered into a {@link LogicalReplicationException} that says what to do about it. */
final class ReplicationErrors {

    private ReplicationErrors() {
    }

    /**
     * @param doing what was being done, e.g. {@code creating replication slot "s1" on postgresql://…}
     *              (already redacted)
     */
    static LogicalReplicationException translate(String doing, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String server = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        String message = server.toLowerCase(java.util.Locale.ROOT);
        Reason reason;
        String advice;
        if (message.contains("wal_level")) {
            reason = Reason.WAL_LEVEL;
            advice = "the server is not set up for logical replication: wal_level must be 'logical' "
                    + "(ALTER SYSTEM SET wal_level = logical, or wal_level = logical in postgresql.conf, then restart PostgreSQL)";
        } else if (message.contains("replication slots are in use") || message.contains("max_replication_slots")) {
            reason = Reason.NO_FREE_SLOT;
            advice = "no replication slot is free: drop an unused one (SELECT pg_drop_replication_slot(slot_name) FROM "
                    + "pg_replication_slots WHERE NOT active) or raise max_replication_slots and restart PostgreSQL";
        } else if (message.contains("max_wal_senders")) {
            reason = Reason.NO_FREE_WAL_SENDER;
            advice = "every WAL sender is busy: end another replication connection or raise max_wal_senders and restart PostgreSQL";
        } else if (message.contains("replication role") || message.contains("permission denied to start walsender")
                || message.contains("permission denied to use replication slots")) {
            reason = Reason.NOT_A_REPLICATION_USER;
            advice = "the user may not replicate: ALTER ROLE <user> REPLICATION (or connect as a superuser)";
        } else if ("55006".equals(state) && message.contains("replication slot")) {
            reason = Reason.SLOT_ACTIVE;
            advice = "another connection is streaming from this slot; only one may at a time (see pg_replication_slots.active_pid)";
        } else if (message.contains("replication slot") && message.contains("does not exist")) {
            reason = Reason.SLOT_MISSING;
            advice = "the replication slot does not exist (was it dropped?); see pg_replication_slots";
        } else if (message.contains("replication slot") && message.contains("already exists")) {
            reason = Reason.SLOT_EXISTS;
            advice = "a replication slot of that name already exists; drop it or choose another name";
        } else if (message.contains("publication") && message.contains("does not exist")) {
            reason = Reason.PUBLICATION_MISSING;
            advice = "the publication does not exist in this database; create it (CREATE PUBLICATION …) or name one that exists (see pg_publication)";
        } else if (message.contains("publication") && message.contains("already exists")) {
            reason = Reason.PUBLICATION_EXISTS;
            advice = "a publication of that name already exists; drop it or choose another name";
        } else if ("42501".equals(state)) {
            reason = Reason.PERMISSION_DENIED;
            advice = "the user lacks a right this needs";
        } else if (state.startsWith("28") || "3D000".equals(state)) {
            reason = Reason.LOGIN_FAILED;
            advice = "the server refused the login; check the user, password, database and pg_hba.conf "
                    + "(a logical replication connection is matched as a connection to its database)";
        } else if ("08001".equals(state) || "08004".equals(state)) {
            reason = Reason.UNREACHABLE;
            advice = "the server cannot be reached; check the host and port and that PostgreSQL is running";
        } else if ("53300".equals(state)) {
            reason = Reason.UNREACHABLE;
            advice = "the server has no free connection: end some sessions or raise max_connections";
        } else if (state.startsWith("08") || state.startsWith("57P")) {
            reason = Reason.CONNECTION_LOST;
            advice = "the connection to the server was lost";
        } else {
            reason = Reason.FAILED;
            advice = "PostgreSQL refused it";
        }
        return new LogicalReplicationException(reason, doing + " failed: " + advice + " (PostgreSQL said: " + server
                + (state.isEmpty() ? "" : ", SQLSTATE " + state) + ")", e);
    }
}
