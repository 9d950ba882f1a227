CREATE TABLE account (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_email_trgm ON account USING gin (email gin_trgm_ops);
