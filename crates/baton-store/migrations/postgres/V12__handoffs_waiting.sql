-- The handoffs waiting for a receiver: the delivery worker lists them when it emails the
-- receiver (`handoffs_waiting_for`). Only pending ones are indexed; resolved history is not.
CREATE INDEX handoffs_waiting ON handoffs (workspace_id, to_id, seq) WHERE status = 'pending';
