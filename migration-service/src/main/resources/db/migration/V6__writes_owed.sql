-- Which side a switchover cut off by a restart left read-only, while the restart could not reach it to give its writes
-- back: the migration's run gives them back once it can. Kept here so that another restart meanwhile still does.

ALTER TABLE migrations ADD COLUMN source_writes_owed boolean NOT NULL DEFAULT false;
ALTER TABLE migrations ADD COLUMN dest_writes_owed boolean NOT NULL DEFAULT false;
