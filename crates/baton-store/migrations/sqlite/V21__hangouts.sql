-- Hangouts: members who opted in to being paired every two weeks with someone they rarely
-- overlap with, and each round's pairs with the slot offered to them. A round is written once,
-- whole (its row and its pairs in one transaction), by whichever instance pairs it first; the
-- round's primary key makes a second pairing of the same round a conflict, never a duplicate.

CREATE TABLE hangout_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL REFERENCES members(id),
    opted_in_at  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, member_id)
);

CREATE TABLE hangout_rounds (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    round        INTEGER NOT NULL,
    paired_at    INTEGER NOT NULL,
    left_out_id  TEXT REFERENCES members(id),
    PRIMARY KEY (workspace_id, round)
);

CREATE TABLE hangout_pairs (
    workspace_id   TEXT NOT NULL,
    round          INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    member_a       TEXT NOT NULL REFERENCES members(id),
    member_b       TEXT NOT NULL REFERENCES members(id),
    shared_minutes INTEGER NOT NULL CHECK (shared_minutes >= 0),
    slot_start     INTEGER,
    out_of_hours_a INTEGER CHECK (out_of_hours_a BETWEEN 0 AND 20),
    out_of_hours_b INTEGER CHECK (out_of_hours_b BETWEEN 0 AND 20),
    PRIMARY KEY (workspace_id, round, position),
    FOREIGN KEY (workspace_id, round) REFERENCES hangout_rounds(workspace_id, round),
    CONSTRAINT hangout_pairs_two CHECK (member_a <> member_b)
);
CREATE UNIQUE INDEX hangout_pairs_a ON hangout_pairs (workspace_id, round, member_a);
CREATE UNIQUE INDEX hangout_pairs_b ON hangout_pairs (workspace_id, round, member_b);
