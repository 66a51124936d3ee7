-- `workspace_settings.workspace_id` is the primary key, so PostgreSQL never let it be NULL;
-- SQLite did, and its V17 rebuilds the table to match. This states the same rule here, so the
-- two migration trees stay in step (it changes nothing on an existing database).

ALTER TABLE workspace_settings ALTER COLUMN workspace_id SET NOT NULL;
