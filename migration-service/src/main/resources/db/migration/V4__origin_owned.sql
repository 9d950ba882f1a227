-- Whether the replication origin pgcorral_<id> on the destination holds this migration's progress. A follow_only
-- migration's first start drops one it does not own: an earlier migration of the same id may have left it, at a
-- position of another source. Rows from before this column were following already: theirs is their own.

ALTER TABLE migrations ADD COLUMN origin_owned boolean NOT NULL DEFAULT true;
ALTER TABLE migrations ALTER COLUMN origin_owned SET DEFAULT false;
