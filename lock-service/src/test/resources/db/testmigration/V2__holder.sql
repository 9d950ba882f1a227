CREATE TABLE holder (
    lease_id text NOT NULL
);
INSERT INTO account (email) VALUES ('seed@example.com');
