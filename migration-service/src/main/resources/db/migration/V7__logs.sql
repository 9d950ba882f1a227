-- Each migration's log lines, of every run, so that GET /api/v1/migrations/{id}/logs outlives the run and the service.
-- The last 10,000 of a migration are kept.

CREATE TABLE migration_logs (
    seq          bigserial PRIMARY KEY,
    migration_id text        NOT NULL REFERENCES migrations ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    level        text        NOT NULL,
    message      text        NOT NULL,
    fields       jsonb       NOT NULL
);
CREATE INDEX migration_logs_by_migration ON migration_logs (migration_id, seq);
