-- The transactional outbox. A write that notifies people stores one `events` row in its own
-- transaction; the delivery worker expands each event into one `deliveries` row per recipient
-- and channel (unique, so expanding twice changes nothing), then claims due deliveries under a
-- lease, sends them and settles them. States: queued (waiting for due/next attempt or leased),
-- sent, dropped (on purpose: the recipient may no longer see it), parked (failed too often).

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    thread_id    TEXT NOT NULL REFERENCES threads(id),
    post_id      TEXT NOT NULL REFERENCES posts(id),
    actor_id     TEXT NOT NULL REFERENCES members(id),
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expanded_at  INTEGER
);
CREATE INDEX events_unexpanded ON events (seq) WHERE expanded_at IS NULL;

CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT NOT NULL UNIQUE,
    event_id        TEXT NOT NULL REFERENCES events(id),
    recipient_id    TEXT NOT NULL REFERENCES members(id),
    channel         TEXT NOT NULL CHECK (channel IN ('email')),
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'dropped', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     INTEGER,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    CONSTRAINT deliveries_once UNIQUE (event_id, recipient_id, channel)
);
CREATE INDEX deliveries_ready ON deliveries (next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_recipient ON deliveries (recipient_id, next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, state);
