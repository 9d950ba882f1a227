-- The source commit time of the position recorded in confirmed_lsn: after a restart, the lag in seconds is bounded from
-- it until the follow applies its first transaction.

ALTER TABLE migrations ADD COLUMN confirmed_commit_time timestamptz;
