-- Migrations (pgmanager's objects), with what a finished run leaves to show: its tables and phases.

CREATE TABLE migrations (
    id                text PRIMARY KEY,                 -- chosen by the client
    name              text        NOT NULL,
    source_cluster_id text        NOT NULL,
    dest_cluster_id   text        NOT NULL,
    source_node_id    text        NOT NULL,
    dest_node_id      text        NOT NULL,
    mode              text        NOT NULL,             -- clone_only, clone_and_follow, clone_follow_switchover
    fallback          boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL,             -- created, running, streaming, switchover, completed, failed, stopped
    phase             text        NOT NULL DEFAULT '',
    error_message     text        NOT NULL DEFAULT '',
    slot_name         text        NOT NULL,
    publication       text        NOT NULL,
    copy_workers      int         NOT NULL,
    confirmed_lsn     bigint,
    tables_total      int         NOT NULL DEFAULT 0,
    tables_copied     int         NOT NULL DEFAULT 0,
    rows_copied       bigint      NOT NULL DEFAULT 0,
    bytes_copied      bigint      NOT NULL DEFAULT 0,
    dest_written      boolean     NOT NULL DEFAULT false, -- a run wrote to the destination: the next one cleans it first
    started_at        timestamptz,
    finished_at       timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE migration_tables (
    migration_id text   NOT NULL REFERENCES migrations ON DELETE CASCADE,
    position     int    NOT NULL,                       -- copy order, largest first
    schema_name  text   NOT NULL,
    table_name   text   NOT NULL,
    status       text   NOT NULL,
    rows_total   bigint NOT NULL,
    rows_copied  bigint NOT NULL,
    size_bytes   bigint NOT NULL,
    bytes_copied bigint NOT NULL,
    percent      double precision NOT NULL,
    elapsed_sec  double precision NOT NULL,
    PRIMARY KEY (migration_id, position)
);

CREATE TABLE migration_phases (
    migration_id text        NOT NULL REFERENCES migrations ON DELETE CASCADE,
    position     int         NOT NULL,
    phase        text        NOT NULL,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    PRIMARY KEY (migration_id, position)
);
