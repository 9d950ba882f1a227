-- The source tables a migration found unlogged at any of its starts (schema.table). Their changes while unlogged never
-- reached the WAL, so a switchover copies them again even once they are logged.

ALTER TABLE migrations ADD COLUMN unlogged_seen text[] NOT NULL DEFAULT '{}';
