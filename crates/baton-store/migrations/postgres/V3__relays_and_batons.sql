-- Relays (an ordered rotation of members), batons (work held by one member at a time) and
-- handoffs (a baton passed on with its note). At most one handoff per baton is pending: the
-- partial unique index `handoffs_pending` makes a second one impossible, even under races.

CREATE TABLE relays (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES members(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX relays_workspace ON relays (workspace_id, seq);

CREATE TABLE relay_legs (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    relay_id     TEXT NOT NULL REFERENCES relays(id),
    position     BIGINT NOT NULL,
    member_id    TEXT NOT NULL REFERENCES members(id),
    PRIMARY KEY (relay_id, position),
    CONSTRAINT relay_legs_member UNIQUE (relay_id, member_id)
);

CREATE TABLE batons (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    relay_id     TEXT REFERENCES relays(id),
    holder_id    TEXT NOT NULL REFERENCES members(id),
    status       TEXT NOT NULL CHECK (status IN ('open', 'done')),
    created_by   TEXT NOT NULL REFERENCES members(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX batons_workspace ON batons (workspace_id, seq);
CREATE INDEX batons_holder ON batons (workspace_id, holder_id);

CREATE TABLE handoffs (
    seq           BIGSERIAL PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    id            TEXT NOT NULL UNIQUE,
    baton_id      TEXT NOT NULL REFERENCES batons(id),
    from_id       TEXT NOT NULL REFERENCES members(id),
    to_id         TEXT NOT NULL REFERENCES members(id),
    state         TEXT NOT NULL,
    next_step     TEXT NOT NULL,
    blockers      TEXT NOT NULL,
    links         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    delivers_at   BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'bounced')),
    resolved_at   BIGINT,
    bounce_reason TEXT
);
CREATE INDEX handoffs_baton ON handoffs (workspace_id, baton_id, seq);
CREATE UNIQUE INDEX handoffs_pending ON handoffs (baton_id) WHERE status = 'pending';
