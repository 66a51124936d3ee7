-- The threads a baton links to: where its work is discussed. One row per baton and thread
-- (`baton_threads_once`), in link order (`seq`). Readers filter the threads through the
-- visibility rule, so a link to a private thread shows only to the members of its space.

CREATE TABLE baton_threads (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    baton_id     TEXT NOT NULL REFERENCES batons(id),
    thread_id    TEXT NOT NULL REFERENCES threads(id),
    linked_by    TEXT NOT NULL REFERENCES members(id),
    linked_at    INTEGER NOT NULL,
    CONSTRAINT baton_threads_once UNIQUE (baton_id, thread_id)
);
CREATE INDEX baton_threads_baton ON baton_threads (workspace_id, baton_id, seq);
CREATE INDEX baton_threads_thread ON baton_threads (workspace_id, thread_id);
