-- Whether the source's and the destination's databases were read-only (default_transaction_read_only set on the
-- database) when the last switchover began. A switchover that fails, or a restart after one was cut off, leaves such a
-- database read-only instead of giving it writes it did not have (another migration may have moved its writes away).
-- NULL: no switchover began since this column came; such a database is given its writes back, as before.

ALTER TABLE migrations ADD COLUMN source_read_only_before boolean;
ALTER TABLE migrations ADD COLUMN dest_read_only_before boolean;
