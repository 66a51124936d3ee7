-- Baton foundation schema (PostgreSQL). Every table carries workspace_id; every query filters
-- by it. Instants are unix milliseconds (UTC) as BIGINT, like the SQLite schema, so both
-- backends map rows the same way. `seq` is an internal, increasing number for ordering and
-- cursors; public ids are random text.

CREATE TABLE workspaces (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE members (
    seq            BIGSERIAL PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    id             TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    password_hash  TEXT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL,
    deactivated_at BIGINT,
    CONSTRAINT members_email UNIQUE (workspace_id, email)
);

CREATE INDEX members_workspace ON members (workspace_id, seq);

CREATE TABLE api_tokens (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    member_id    TEXT NOT NULL REFERENCES members(id),
    label        TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_member ON api_tokens (workspace_id, member_id);

CREATE TABLE spaces (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    created_by   TEXT NOT NULL REFERENCES members(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX spaces_workspace ON spaces (workspace_id, seq);

CREATE TABLE space_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    space_id     TEXT NOT NULL REFERENCES spaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    added_at     BIGINT NOT NULL,
    PRIMARY KEY (space_id, member_id)
);
CREATE INDEX space_members_member ON space_members (workspace_id, member_id);

CREATE TABLE threads (
    seq           BIGSERIAL PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    id            TEXT NOT NULL UNIQUE,
    space_id      TEXT NOT NULL REFERENCES spaces(id),
    title         TEXT NOT NULL,
    author_id     TEXT NOT NULL REFERENCES members(id),
    expectation   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_post_at  BIGINT NOT NULL,
    last_post_seq BIGINT NOT NULL,
    post_count    BIGINT NOT NULL
);
CREATE INDEX threads_space_activity ON threads (workspace_id, space_id, last_post_seq);

CREATE TABLE posts (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    thread_id    TEXT NOT NULL REFERENCES threads(id),
    author_id    TEXT NOT NULL REFERENCES members(id),
    body         TEXT NOT NULL,
    html         TEXT NOT NULL,
    expectation  TEXT,
    created_at   BIGINT NOT NULL,
    edited_at    BIGINT
);
CREATE INDEX posts_thread ON posts (workspace_id, thread_id, seq);

CREATE TABLE post_revisions (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    post_id      TEXT NOT NULL REFERENCES posts(id),
    body         TEXT NOT NULL,
    html         TEXT NOT NULL,
    replaced_at  BIGINT NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (workspace_id, post_id, seq);

CREATE TABLE read_cursors (
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    member_id     TEXT NOT NULL REFERENCES members(id),
    thread_id     TEXT NOT NULL REFERENCES threads(id),
    last_read_seq BIGINT NOT NULL,
    PRIMARY KEY (member_id, thread_id)
);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, member_id, key)
);
