-- Calendars. Each member may have one secret feed URL; only the SHA-256 of its secret is
-- stored, as for API tokens. External calendars a member adds (fetched from a URL and
-- refreshed, or uploaded once) are kept with the busy times read from them, as rows the slot
-- finder reads; a failed refresh keeps the old rows and records why it failed.

CREATE TABLE calendar_feeds (
    member_id    TEXT NOT NULL PRIMARY KEY REFERENCES members(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);

CREATE TABLE external_calendars (
    seq          INTEGER PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    member_id    TEXT NOT NULL REFERENCES members(id),
    name         TEXT NOT NULL,
    url          TEXT,
    busy_count   INTEGER NOT NULL CHECK (busy_count >= 0),
    created_at   INTEGER NOT NULL,
    fetched_at   INTEGER,
    checked_at   INTEGER NOT NULL,
    last_error   TEXT
);
CREATE INDEX external_calendars_member ON external_calendars (workspace_id, member_id, seq);
CREATE INDEX external_calendars_checked ON external_calendars (checked_at);

CREATE TABLE external_busy (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    calendar_id  TEXT NOT NULL REFERENCES external_calendars(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX external_busy_member ON external_busy (workspace_id, member_id, starts_at);
CREATE INDEX external_busy_calendar ON external_busy (calendar_id);
