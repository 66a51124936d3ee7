-- End-of-day reminders are outbox events without a post: thread_id and post_id become
-- optional, and `once_key` (unique per workspace when set) lets a writer record an event at
-- most once, e.g. one `baton_reminder` per holder and working day. Additive: the running
-- code never reads the new column and always writes both ids.

ALTER TABLE events ALTER COLUMN thread_id DROP NOT NULL;
ALTER TABLE events ALTER COLUMN post_id DROP NOT NULL;
ALTER TABLE events ADD COLUMN once_key TEXT;
ALTER TABLE events ADD CONSTRAINT events_once UNIQUE (workspace_id, once_key);
