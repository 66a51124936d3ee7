-- A meeting's lifecycle: besides draft and invited, a meeting is closed (with the time it was
-- closed) or cancelled. It carries a sequence number (raised by every change to an invited
-- meeting and by cancelling, for calendars), the thread its invitation started, and the link
-- of its video call. A participant whom the start puts outside their working hours is
-- optional.
--
-- SQLite cannot change a CHECK, so `meetings` is rebuilt. With foreign keys on (a migration
-- runs in a transaction, where they cannot be turned off) dropping `meetings` would fail for
-- the rows referring to it, so its three child tables are rebuilt beside it against the new
-- table (as V7 did for events), the old tables dropped children first, and the new ones
-- renamed into place (which rewrites the children's reference to `meetings`).

CREATE TABLE meetings_rebuilt (
    seq              INTEGER PRIMARY KEY,
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    id               TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    purpose          TEXT NOT NULL CHECK (purpose IN ('performance_review', 'decision', 'urgent',
                                                      'hype', 'hangout', 'celebration', 'other')),
    justification    TEXT,
    organizer_id     TEXT NOT NULL REFERENCES members(id),
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 480),
    status           TEXT NOT NULL CHECK (status IN ('draft', 'invited', 'closed', 'cancelled')),
    space_id         TEXT REFERENCES spaces(id),
    created_at       INTEGER NOT NULL,
    sequence         INTEGER NOT NULL DEFAULT 0,
    thread_id        TEXT REFERENCES threads(id),
    video_url        TEXT,
    closed_at        INTEGER,
    CONSTRAINT meetings_other_justified CHECK (purpose <> 'other' OR justification IS NOT NULL)
);
INSERT INTO meetings_rebuilt (seq, workspace_id, id, title, purpose, justification, organizer_id, starts_at,
                              duration_minutes, status, space_id, created_at)
SELECT seq, workspace_id, id, title, purpose, justification, organizer_id, starts_at,
       duration_minutes, status, space_id, created_at FROM meetings;

CREATE TABLE meeting_participants_rebuilt (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id     TEXT NOT NULL REFERENCES meetings_rebuilt(id),
    member_id      TEXT NOT NULL REFERENCES members(id),
    position       INTEGER NOT NULL,
    prework_due_at INTEGER,
    optional       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, member_id)
);
INSERT INTO meeting_participants_rebuilt (workspace_id, meeting_id, member_id, position, prework_due_at)
SELECT workspace_id, meeting_id, member_id, position, prework_due_at FROM meeting_participants;

CREATE TABLE meeting_agenda_rebuilt (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id   TEXT NOT NULL REFERENCES meetings_rebuilt(id),
    position     INTEGER NOT NULL,
    item         TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES members(id),
    minutes      INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 480),
    PRIMARY KEY (meeting_id, position)
);
INSERT INTO meeting_agenda_rebuilt SELECT workspace_id, meeting_id, position, item, owner_id, minutes
FROM meeting_agenda;

CREATE TABLE meeting_prework_rebuilt (
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id         TEXT NOT NULL REFERENCES meetings_rebuilt(id),
    position           INTEGER NOT NULL,
    what               TEXT NOT NULL,
    due_minutes_before INTEGER NOT NULL CHECK (due_minutes_before BETWEEN 0 AND 4800),
    PRIMARY KEY (meeting_id, position)
);
INSERT INTO meeting_prework_rebuilt SELECT workspace_id, meeting_id, position, what, due_minutes_before
FROM meeting_prework;

DROP TABLE meeting_prework;
DROP TABLE meeting_agenda;
DROP TABLE meeting_participants;
DROP TABLE meetings;
ALTER TABLE meetings_rebuilt RENAME TO meetings;
ALTER TABLE meeting_participants_rebuilt RENAME TO meeting_participants;
ALTER TABLE meeting_agenda_rebuilt RENAME TO meeting_agenda;
ALTER TABLE meeting_prework_rebuilt RENAME TO meeting_prework;

CREATE INDEX meetings_workspace ON meetings (workspace_id, seq);
CREATE INDEX meeting_participants_member ON meeting_participants (workspace_id, member_id);
-- The close reminder looks for invited meetings long over.
CREATE INDEX meetings_open ON meetings (starts_at) WHERE status = 'invited';

-- The share of working time a workspace aims to spend in meetings; NULL keeps the default (5%).
ALTER TABLE workspace_settings ADD COLUMN meeting_load_target REAL;
