-- The audit log also records acts on accounts: API tokens created and revoked, role changes,
-- deactivations and the owner handing over the workspace. Such an entry names the member it
-- concerns (`subject_id`), the token when there is one, and a short `detail` (e.g. the roles
-- before and after). SQLite cannot change a CHECK constraint in place, so the table is built
-- anew with the wider list of actions and its rows copied over.

CREATE TABLE audit_log_new (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    actor_id     TEXT NOT NULL REFERENCES members(id),
    action       TEXT NOT NULL CHECK (action IN ('urgent.sent', 'urgent.over_budget',
                     'token.created', 'token.revoked', 'member.role_changed',
                     'member.deactivated', 'workspace.ownership_transferred')),
    thread_id    TEXT REFERENCES threads(id),
    post_id      TEXT REFERENCES posts(id),
    legs         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    subject_id   TEXT REFERENCES members(id),
    token_id     TEXT REFERENCES api_tokens(id),
    detail       TEXT
);
INSERT INTO audit_log_new (seq, workspace_id, id, actor_id, action, thread_id, post_id, legs, at)
    SELECT seq, workspace_id, id, actor_id, action, thread_id, post_id, legs, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, seq);
CREATE INDEX audit_log_budget ON audit_log (workspace_id, actor_id, at) WHERE action = 'urgent.sent';
CREATE INDEX audit_log_post ON audit_log (post_id);
