-- Following a thread: a member who follows one hears of its replies at their delivery windows.
-- The choice lives on the member's read cursor of the thread (one row per member and thread
-- they touched): NULL means never chosen, true following, false unfollowed on purpose.
-- Posting in a thread (or being mentioned in it) follows it unless the member unfollowed it
-- on purpose, and moves their read cursor to their own post: what they wrote is not news to
-- them.
ALTER TABLE read_cursors ADD COLUMN following BOOLEAN;

-- Everyone who already posted in a thread follows it.
INSERT INTO read_cursors (workspace_id, member_id, thread_id, last_read_seq, following)
SELECT workspace_id, author_id, thread_id, MAX(seq), true FROM posts GROUP BY workspace_id, author_id, thread_id
ON CONFLICT (member_id, thread_id) DO UPDATE
    SET following = true, last_read_seq = GREATEST(read_cursors.last_read_seq, EXCLUDED.last_read_seq);

-- A thread's followers, for expanding its reply events.
CREATE INDEX read_cursors_followers ON read_cursors (thread_id, member_id) WHERE following;

-- A thread's reply event not yet expanded: a reply while one waits records nothing more,
-- since the followers' deliveries are built from what is unread when they are sent.
CREATE INDEX events_reply_pending ON events (thread_id) WHERE kind = 'reply' AND expanded_at IS NULL;
