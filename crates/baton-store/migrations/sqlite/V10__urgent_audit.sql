-- Urgent sends: the workspace's weekly urgent budget and the audit log.
--
-- `workspace_settings` holds what admins set for the whole workspace; a workspace without a
-- row uses the defaults baton-core names. `audit_log` records acts admins must be able to
-- review, written in the same transaction as the act: for now each urgent post, as sent
-- (`urgent.sent`, which also counts against its sender's budget) or as over budget
-- (`urgent.over_budget`, delivered as ordinary). `legs` is JSON: one entry per recipient with
-- whom it was routed to now and when the recipient is told.

CREATE TABLE workspace_settings (
    workspace_id  TEXT PRIMARY KEY REFERENCES workspaces(id),
    urgent_budget INTEGER NOT NULL CHECK (urgent_budget >= 0),
    updated_by    TEXT NOT NULL REFERENCES members(id),
    updated_at    INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    actor_id     TEXT NOT NULL REFERENCES members(id),
    action       TEXT NOT NULL CHECK (action IN ('urgent.sent', 'urgent.over_budget')),
    thread_id    TEXT REFERENCES threads(id),
    post_id      TEXT REFERENCES posts(id),
    legs         TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, seq);
CREATE INDEX audit_log_budget ON audit_log (workspace_id, actor_id, at) WHERE action = 'urgent.sent';
CREATE INDEX audit_log_post ON audit_log (post_id);
