-- End-of-day reminders are outbox events without a post: thread_id and post_id become
-- optional, and `once_key` (unique per workspace when set) lets a writer record an event at
-- most once, e.g. one `baton_reminder` per holder and working day.
--
-- SQLite cannot drop NOT NULL, so `events` is rebuilt. With foreign keys on (and a migration
-- runs in a transaction, where they cannot be turned off) dropping `events` would fail for
-- the deliveries referencing it, and renaming it would rewrite their reference; so
-- `deliveries` is rebuilt beside it against the new table, the old pair dropped child first,
-- and the new pair renamed into place (which rewrites the reference to `events`).

CREATE TABLE events_rebuilt (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    thread_id    TEXT REFERENCES threads(id),
    post_id      TEXT REFERENCES posts(id),
    actor_id     TEXT NOT NULL REFERENCES members(id),
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expanded_at  INTEGER,
    once_key     TEXT,
    CONSTRAINT events_once UNIQUE (workspace_id, once_key)
);
INSERT INTO events_rebuilt (seq, workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at, expanded_at)
SELECT seq, workspace_id, id, kind, thread_id, post_id, actor_id, payload, created_at, expanded_at FROM events;

CREATE TABLE deliveries_rebuilt (
    seq             INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT NOT NULL UNIQUE,
    event_id        TEXT NOT NULL REFERENCES events_rebuilt(id),
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
INSERT INTO deliveries_rebuilt SELECT seq, workspace_id, id, event_id, recipient_id, channel, due_at, state, attempts,
                                 lease_owner, lease_until, next_attempt_at, last_error, sent_at FROM deliveries;

DROP TABLE deliveries;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
ALTER TABLE deliveries_rebuilt RENAME TO deliveries;

CREATE INDEX events_unexpanded ON events (seq) WHERE expanded_at IS NULL;
CREATE INDEX deliveries_ready ON deliveries (next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_recipient ON deliveries (recipient_id, next_attempt_at) WHERE state = 'queued';
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, state);
