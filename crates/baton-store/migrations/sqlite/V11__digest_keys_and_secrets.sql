-- Digest keys: the claim that first leases a delivery gives it the id of the digest it goes
-- out in (one per recipient and claim), and later claims keep it, so a digest resent after a
-- crash carries the same Message-ID even when newer deliveries are claimed with it (those get
-- a digest of their own).
ALTER TABLE deliveries ADD COLUMN digest_id TEXT;

-- What the backlog counts as sent in the last day, without reading every delivery ever sent.
CREATE INDEX deliveries_sent ON deliveries (workspace_id, sent_at) WHERE state = 'sent';

-- Per-workspace secrets, by purpose: 'unsubscribe' keys the HMAC of one-click unsubscribe
-- links (see baton_core::delivery::unsubscribe). Created on first use; never sent anywhere.
CREATE TABLE workspace_secrets (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    purpose      TEXT NOT NULL,
    secret       TEXT NOT NULL,
    PRIMARY KEY (workspace_id, purpose)
);
