-- Outgoing webhooks: a member's own (their notifications, held for their delivery windows
-- like email) or a space's (every notifying event of the space). Each keeps the secret its
-- requests are signed with; a deleted webhook keeps its row (its deliveries refer to it) but
-- loses its secret.
--
-- Deliveries gain the `webhook` channel and the webhook each goes to. One event reaches a
-- member's email once and each webhook once: `deliveries_once` now covers the deliveries
-- without a webhook, `deliveries_webhook_once` those with one.

CREATE TABLE webhooks (
    seq          BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT NOT NULL UNIQUE,
    member_id    TEXT REFERENCES members(id),
    space_id     TEXT REFERENCES spaces(id),
    url          TEXT NOT NULL,
    secret       TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES members(id),
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT,
    CONSTRAINT webhooks_one_scope CHECK ((member_id IS NULL) <> (space_id IS NULL))
);
CREATE INDEX webhooks_member ON webhooks (workspace_id, member_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX webhooks_space ON webhooks (workspace_id, space_id, seq) WHERE deleted_at IS NULL;

ALTER TABLE deliveries ADD COLUMN webhook_id TEXT REFERENCES webhooks(id);
ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'webhook'));
ALTER TABLE deliveries ADD CONSTRAINT deliveries_webhook_target
    CHECK ((channel = 'webhook') = (webhook_id IS NOT NULL));
ALTER TABLE deliveries DROP CONSTRAINT deliveries_once;
CREATE UNIQUE INDEX deliveries_once ON deliveries (event_id, recipient_id, channel) WHERE webhook_id IS NULL;
CREATE UNIQUE INDEX deliveries_webhook_once ON deliveries (event_id, webhook_id) WHERE webhook_id IS NOT NULL;
