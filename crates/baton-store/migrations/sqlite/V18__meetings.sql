-- Meetings: the exception to async work. A meeting names its purpose (`other` only with a
-- justification, stored so that such meetings can be counted), its organizer, start and
-- length, and the space its notes will go to. Its participants (the organizer first, each
-- with the instant their pre-work is due in their own working time), agenda and pre-work are
-- rows of their own, in order. Every table carries the workspace and every query filters by it.

CREATE TABLE meetings (
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
    status           TEXT NOT NULL CHECK (status IN ('draft', 'invited')),
    space_id         TEXT REFERENCES spaces(id),
    created_at       INTEGER NOT NULL,
    CONSTRAINT meetings_other_justified CHECK (purpose <> 'other' OR justification IS NOT NULL)
);
CREATE INDEX meetings_workspace ON meetings (workspace_id, seq);

CREATE TABLE meeting_participants (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id     TEXT NOT NULL REFERENCES meetings(id),
    member_id      TEXT NOT NULL REFERENCES members(id),
    position       INTEGER NOT NULL,
    prework_due_at INTEGER,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_participants_member ON meeting_participants (workspace_id, member_id);

CREATE TABLE meeting_agenda (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id   TEXT NOT NULL REFERENCES meetings(id),
    position     INTEGER NOT NULL,
    item         TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES members(id),
    minutes      INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 480),
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE meeting_prework (
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id),
    meeting_id         TEXT NOT NULL REFERENCES meetings(id),
    position           INTEGER NOT NULL,
    what               TEXT NOT NULL,
    due_minutes_before INTEGER NOT NULL CHECK (due_minutes_before BETWEEN 0 AND 4800),
    PRIMARY KEY (meeting_id, position)
);
