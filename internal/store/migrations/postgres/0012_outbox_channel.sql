-- One outbox for every channel. Text messages (OTP_SMS codes) are queued
-- beside mail, sealed the same way, and each channel's worker claims only
-- its own rows. expires_at: past it a message is useless (its code died)
-- and is dropped unsent; NULL (every mail) never expires. dropped_at: a
-- message given up, refused for good by the receiving server or expired;
-- its sealed body is cleared like a sent one's. Rows written before this
-- migration are mail.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'mail';
ALTER TABLE outbox ADD COLUMN expires_at BIGINT;
ALTER TABLE outbox ADD COLUMN dropped_at BIGINT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (channel, next_attempt, id) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX outbox_dropped ON outbox (dropped_at) WHERE dropped_at IS NOT NULL;
CREATE INDEX outbox_expires ON outbox (expires_at) WHERE expires_at IS NOT NULL;
