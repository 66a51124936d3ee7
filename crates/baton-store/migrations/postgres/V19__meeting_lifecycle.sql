-- A meeting's lifecycle: besides draft and invited, a meeting is closed (with the time it was
-- closed) or cancelled. It carries a sequence number (raised by every change to an invited
-- meeting and by cancelling, for calendars), the thread its invitation started, and the link
-- of its video call. A participant whom the start puts outside their working hours is
-- optional. (SQLite rebuilds its tables for the new CHECK; PostgreSQL changes them in place.)

ALTER TABLE meetings DROP CONSTRAINT meetings_status_check;
ALTER TABLE meetings ADD CONSTRAINT meetings_status_check
    CHECK (status IN ('draft', 'invited', 'closed', 'cancelled'));
ALTER TABLE meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN thread_id TEXT REFERENCES threads(id);
ALTER TABLE meetings ADD COLUMN video_url TEXT;
ALTER TABLE meetings ADD COLUMN closed_at BIGINT;
ALTER TABLE meeting_participants ADD COLUMN optional BOOLEAN NOT NULL DEFAULT false;
-- The close reminder looks for invited meetings long over.
CREATE INDEX meetings_open ON meetings (starts_at) WHERE status = 'invited';

-- The share of working time a workspace aims to spend in meetings; NULL keeps the default (5%).
ALTER TABLE workspace_settings ADD COLUMN meeting_load_target DOUBLE PRECISION;
