-- Capture COPYs every change into this table; a foreign key checked row by row doubled what storing a change
-- cost the server. A session's entries are deleted with it by SessionStore.delete, and capture commits a batch
-- only while its session row still exists (CaptureWorker.commit), so no entry outlives its session.
ALTER TABLE changes DROP CONSTRAINT changes_session_id_fkey;
