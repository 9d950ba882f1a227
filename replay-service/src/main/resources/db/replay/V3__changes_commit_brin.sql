-- commit_lsn grows with seq: a BRIN index finds a position as well and costs far less to keep up while capturing.
DROP INDEX changes_commit;
CREATE INDEX changes_commit ON changes USING brin (session_id, commit_lsn);
