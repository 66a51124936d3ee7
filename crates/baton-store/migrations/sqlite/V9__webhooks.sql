-- Outgoing webhooks: a member's own (their notifications, held for their delivery windows
-- like email) or a space's (every notifying event of the space). Each keeps the secret its
-- requests are signed with; a deleted webhook keeps its row (its deliveries refer to it) but
-- loses its secret.
--
-- Deliveries gain the `webhook` channel and the webhook each goes to. One event reaches a
-- member's email once and each webhook once: `deliveries_once` now covers the deliveries
-- without a webhook, `deliveries_webhook_once` those with one. SQLite cannot change a CHECK
-- or drop a table constraint, so `deliveries` is rebuilt (nothing refers to it).

CREATE TABLE webhooks (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    member_id    TEXT REFERENCES members(id),
    space_id     TEXT REFERENCES spaces(id),
    url          TEXT NOT NULL,
    secret       TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES members(id),
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER,
    CONSTRAINT webhooks_one_scope CHECK ((member_id IS NULL) <> (space_id IS NULL))
);
CREATE INDEX webhooks_member ON webhooks (workspace_id, member_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_space ON webhooks (workspace_id, space_id, seq) WHERE deleted_at IS NULL;

CREATE TABLE deliveries_v9 (
    seq             INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT NOT NULL UNIQUE,
    event_id        TEXT NOT NULL REFERENCES events(id),
    recipient_id    TEXT NOT NULL REFERENCES members(id),
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'dropped', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     INTEGER,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    webhook_id      TEXT REFERENCES webhooks(id),
    CONSTRAINT deliveries_webhook_target CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL))
);
INSERT INTO deliveries_v9 (seq, workspace_id, id, event_id, recipient_id, channel, due_at, state, attempts,
                           lease_owner, lease_until, next_attempt_at, last_error, sent_at)
SELECT seq, workspace_id, id, event_id, recipient_id, channel, due_at, state, attempts,
       lease_owner, lease_until, next_attempt_at, last_error, sent_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v9 RENAME TO deliveries;

CREATE UNIQUE INDEX deliveries_once ON deliveries (event_id, recipient_id, channel) WHERE webhook_id IS NULL;
CREATE UNIQUE INDEX deliveries_webhook_once ON deliveries (event_id, webhook_id) WHERE webhook_id IS NOT NULL;
CREATE INDEX deliveries_ready ON deliveries (next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_recipient ON deliveries (recipient_id, next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, state);
