-- Working schedules (one per member, stored as the JSON of baton_core::schedule::Schedule) and
-- asks: one row per member a `reply` expectation asks, with that member's own due instant.

CREATE TABLE schedules (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL PRIMARY KEY REFERENCES members(id),
    schedule     TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE asks (
    seq            INTEGER PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    id             TEXT NOT NULL UNIQUE,
    thread_id      TEXT NOT NULL REFERENCES threads(id),
    post_id        TEXT NOT NULL REFERENCES posts(id),
    from_id        TEXT NOT NULL REFERENCES members(id),
    to_id          TEXT NOT NULL REFERENCES members(id),
    due_at         INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    answered_at    INTEGER,
    answer_post_id TEXT REFERENCES posts(id)
);
CREATE INDEX asks_to ON asks (workspace_id, to_id, due_at);
CREATE INDEX asks_from ON asks (workspace_id, from_id, due_at);
CREATE INDEX asks_open_in_thread ON asks (workspace_id, thread_id, to_id) WHERE answered_at IS NULL;
