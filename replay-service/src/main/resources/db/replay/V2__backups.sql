-- pg_dump files of checkpoints' copies.
CREATE TABLE backups (
    id            uuid PRIMARY KEY,
    session_id    uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    checkpoint_id uuid,                               -- the checkpoint it was taken at (kept when that is deleted)
    checkpoint    text        NOT NULL,               -- its name then
    entry_index   bigint      NOT NULL,               -- the change log position it holds
    file          text        NOT NULL,
    size_bytes    bigint      NOT NULL,
    created_at    timestamptz NOT NULL
);
