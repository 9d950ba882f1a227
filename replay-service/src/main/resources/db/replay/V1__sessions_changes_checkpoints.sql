-- replay-service's own state. Positions (LSNs) are stored as bigint: compared and ordered as numbers.

CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    name            text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    source_url      text        NOT NULL,           -- postgresql:// URL, with its password: never returned by an API
    target_url      text        NOT NULL,           -- the session's target database
    slot            text        NOT NULL,
    publication     text        NOT NULL,
    ddl_capture     boolean     NOT NULL,
    capture_note    text,                           -- why DDL is not captured, when it is not
    state           text        NOT NULL,           -- CREATING, CAPTURING, FAILED
    error           text,
    active          boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    entries         bigint      NOT NULL DEFAULT 0, -- entries in the change log; the last one's seq
    stored_lsn      bigint      NOT NULL,           -- commit position of the last transaction stored
    stored_at       timestamptz,                    -- its commit time
    target_seq      bigint                          -- the target holds the state after this entry; null: unknown
);

-- Each version of a captured table's shape, as the stream described it.
CREATE TABLE relations (
    session_id  uuid    NOT NULL REFERENCES sessions ON DELETE CASCADE,
    version     int     NOT NULL,
    relid       bigint  NOT NULL,                   -- the table's OID on the source
    schema_name text    NOT NULL,
    table_name  text    NOT NULL,
    columns     jsonb   NOT NULL,                   -- [{name, type, oid, key}]
    PRIMARY KEY (session_id, version)
);

CREATE TABLE changes (
    session_id  uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    seq         bigint      NOT NULL,               -- 1, 2, ...: the entry's index in the session's log
    xid         bigint      NOT NULL,
    commit_lsn  bigint      NOT NULL,
    commit_time timestamptz NOT NULL,
    lsn         bigint      NOT NULL,               -- the change's own position
    operation   text        NOT NULL,               -- INSERT, UPDATE, DELETE, TRUNCATE, DDL
    schema_name text,
    table_name  text,
    relation    int,                                -- version in relations
    data        json,                               -- column -> value; an unchanged TOASTed column is absent
    old_data    json,                               -- the old key or old row, per replica identity
    old_kind    text,                               -- KEY or FULL
    statement   text,                               -- DDL or TRUNCATE as SQL
    search_path text,                               -- DDL: the search_path it ran under
    PRIMARY KEY (session_id, seq)
);
CREATE INDEX changes_commit ON changes (session_id, commit_lsn);

CREATE TABLE checkpoints (
    id          uuid PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    kind        text        NOT NULL,               -- CREATION, MIGRATION, USER
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    lsn         bigint      NOT NULL,               -- position of its logical message (Creation: the slot's consistent point)
    entry_index bigint,                             -- entries before it; null until capture reached it
    commit_lsn  bigint,
    sequences   jsonb       NOT NULL DEFAULT '[]',  -- [{schema, name, value}] read on the source when it was set
    copy_db     text,                               -- template database on the target server holding its state
    copy_state  text        NOT NULL DEFAULT 'NONE', -- NONE, BUILDING, READY, FAILED
    copy_error  text
);
CREATE UNIQUE INDEX checkpoints_fixed ON checkpoints (session_id, kind) WHERE kind <> 'USER';

CREATE TABLE restores (
    id                uuid PRIMARY KEY,
    session_id        uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    checkpoint_id     uuid,
    to_seq            bigint      NOT NULL,
    to_lsn            bigint,
    state             text        NOT NULL,         -- RUNNING, DONE, FAILED
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz,
    start_point       text,                         -- 'current target' or the copy it started from
    entries_total     bigint      NOT NULL DEFAULT 0,
    entries_applied   bigint      NOT NULL DEFAULT 0,
    connections_ended int         NOT NULL DEFAULT 0,
    error             text
);
