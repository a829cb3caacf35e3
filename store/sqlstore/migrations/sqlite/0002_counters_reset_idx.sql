-- Dead counters (window and ban ended) are deleted by a range on reset_at.
CREATE INDEX counters_reset_idx ON counters (reset_at);
