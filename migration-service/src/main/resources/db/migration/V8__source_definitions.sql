-- The source's definition of each table a migration follows (its columns' names and types), as its clone's snapshot had it
-- and as its follow accepted it since: a type changed on the source while the service was down, or the migration
-- stopped, shows against it on the next start.

CREATE TABLE source_definitions (
    migration_id text   NOT NULL REFERENCES migrations ON DELETE CASCADE,
    relid        bigint NOT NULL,  -- the table's OID on the source
    definition   jsonb  NOT NULL,  -- dev.pgcorral.common.logical.Relation, columns' keys and replica identity left out
    PRIMARY KEY (migration_id, relid)
);
