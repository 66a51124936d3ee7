-- Sign-in throttle counters (`baton_core::throttle`): failures per account (a hash of the
-- email) and per client address, and when an address last signed in to an account. Kept in
-- the database so every instance on one PostgreSQL counts the same failures. Not scoped by
-- workspace: an attempt is counted before anyone knows which workspace the email belongs to.
CREATE TABLE sign_in_throttle (
    key      TEXT NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL
);
-- Deleting counters no rule needs any more.
CREATE INDEX sign_in_throttle_last_at ON sign_in_throttle (last_at);
