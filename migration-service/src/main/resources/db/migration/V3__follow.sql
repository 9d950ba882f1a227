-- What a followed migration needs to resume after the service restarts.

ALTER TABLE migrations
    ADD COLUMN consistent_lsn      bigint,                        -- where the clone's snapshot ends and the follow begins
    ADD COLUMN clone_completed     boolean NOT NULL DEFAULT false, -- the destination holds the clone: a start follows on
    ADD COLUMN publication_created boolean NOT NULL DEFAULT false, -- the publication is ours to drop
    ADD COLUMN switchover_lsn      bigint,                         -- the sentinel of the switchover that completed
    ADD COLUMN switchover_downtime_ms bigint,                      -- how long the source's writes were stopped for it
    ADD COLUMN ddl_stop_lsn        bigint;                         -- the schema change the follow stopped at: passed on the next start
