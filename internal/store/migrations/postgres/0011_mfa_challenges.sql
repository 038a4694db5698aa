-- Second factors belong to the account: a sign-in with the right password
-- on the platform or cashdesk door of an account with TOTP is answered with
-- an mfa_token, spent by a second call with a TOTP or recovery code. Only
-- the token's SHA-256 is kept. Times are BIGINT unix microseconds UTC.
CREATE TABLE mfa_challenges (
    hash         BYTEA   PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    door         TEXT    NOT NULL,
    client_id    TEXT    NOT NULL DEFAULT '',
    stamp        BYTEA   NOT NULL, -- of the password hash checked: a new password ends the challenge
    attempts     BIGINT  NOT NULL DEFAULT 0,
    max_attempts BIGINT  NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    used_at      BIGINT
);
CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
CREATE INDEX mfa_challenges_expiry ON mfa_challenges (expires_at);
