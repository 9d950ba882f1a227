-- migration-service's state. Registered clusters and their nodes (pgmanager's objects).

CREATE TABLE clusters (
    id          text PRIMARY KEY,                   -- kept when the client sends one, else cl_ + ULID
    name        text        NOT NULL,
    tags        text[]      NOT NULL DEFAULT '{}',
    backup_path text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX clusters_created ON clusters (created_at, id);

CREATE TABLE nodes (
    id                 text PRIMARY KEY,            -- kept when the client sends one, else nd_ + ULID; unique over all clusters
    cluster_id         text    NOT NULL REFERENCES clusters ON DELETE CASCADE,
    name               text    NOT NULL DEFAULT '',
    host               text    NOT NULL,
    port               int     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    role               text    NOT NULL DEFAULT '',
    user_name          text    NOT NULL DEFAULT '',
    password           text    NOT NULL DEFAULT '', -- encrypted (enc:v1:...), '' when none; never returned
    dbname             text    NOT NULL DEFAULT '',
    agent_url          text    NOT NULL DEFAULT '',
    monitoring_enabled boolean NOT NULL DEFAULT false
);
CREATE INDEX nodes_cluster ON nodes (cluster_id);
