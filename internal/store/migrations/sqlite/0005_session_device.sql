-- The device a session signed in from (a hash of the user agent and the
-- client's network), so that "is this a new device?" is one indexed lookup
-- instead of reading every session of the user at each sign-in.
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_user_device ON sessions (user_id, device);
