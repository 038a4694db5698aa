-- Second factors belong to the account: a sign-in with the right password
-- on the platform or cashdesk door of an account with TOTP is answered with
-- an mfa_token, spent by a second call with a TOTP or recovery code. Only
-- the token's SHA-256 is kept. Times are INTEGER unix microseconds UTC.
CREATE TABLE mfa_challenges (
    hash         BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    door         TEXT    NOT NULL,
    client_id    TEXT    NOT NULL DEFAULT '',
    stamp        BLOB    NOT NULL, -- of the password hash checked: a new password ends the challenge
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
