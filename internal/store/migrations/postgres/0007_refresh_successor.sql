-- Idempotent refresh. A used refresh token keeps the hash of the token its
-- use issued (successor_hash) and, while that successor is unused and the
-- refresh grace lasts, the successor itself sealed under the master key
-- (successor_sealed), so that a retried or concurrent presentation of the
-- used token is answered with the same successor. parent_hash names the
-- token whose use issued this one: using a successor wipes the sealed copy
-- kept beside its parent. Rows written before this migration have none of
-- them: such a token, once used, is simply spent.
ALTER TABLE refresh_tokens ADD COLUMN parent_hash BYTEA;
ALTER TABLE refresh_tokens ADD COLUMN successor_hash BYTEA;
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed BYTEA;
-- The purge wipes sealed successors whose grace has passed: few rows at any
-- time, so a partial index.
CREATE INDEX refresh_tokens_sealed ON refresh_tokens (used_at) WHERE successor_sealed IS NOT NULL;
