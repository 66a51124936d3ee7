-- Each member's notification policy (the JSON of baton_core::delivery::NotificationPolicy).
CREATE TABLE notification_policies (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    member_id    TEXT NOT NULL PRIMARY KEY REFERENCES members(id),
    policy       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);
