-- Browser sessions: only the SHA-256 of the cookie secret is stored. A session is live until
-- ended_at is set (sign-out, password change, deactivation) or it goes unused for too long.
CREATE TABLE web_sessions (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL PRIMARY KEY,
    member_id    TEXT NOT NULL REFERENCES members(id),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX web_sessions_member ON web_sessions (workspace_id, member_id) WHERE ended_at IS NULL;
