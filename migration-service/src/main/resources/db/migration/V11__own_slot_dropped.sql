-- A follow_only migration that followed a slot it made itself (a fallback's reverse: its switchover made the slot), which
-- its stop or delete then dropped: the changes made since are kept nowhere, so it cannot be started again.

ALTER TABLE migrations ADD COLUMN own_slot_dropped boolean NOT NULL DEFAULT false;
