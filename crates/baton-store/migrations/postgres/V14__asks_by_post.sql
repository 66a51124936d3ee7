-- A post's asks, read for every digest, webhook and page that shows the post
-- (`asks_for_post`). Without this index each read scanned every ask of the workspace: a
-- digest run over thousands of recipients spent three quarters of its time there.
CREATE INDEX asks_post ON asks (post_id, seq);
