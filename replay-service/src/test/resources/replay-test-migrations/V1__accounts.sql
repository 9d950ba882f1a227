CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text NOT NULL);
INSERT INTO accounts (owner) VALUES ('migrated');
