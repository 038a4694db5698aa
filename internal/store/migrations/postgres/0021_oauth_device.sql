-- Device authorizations of the standard door (RFC 8628, docs/oidc.md): only
-- the SHA-256 of the device code and of the normalised user code are kept.
-- status: pending, then approved or denied by the person on /device, then
-- redeemed once the device got its tokens. last_poll_at and slow_down pace
-- the device's polls (slow_down: the last one came too soon; interval_s,
-- in seconds, then grew by 5). The user and their sign-in are set by the
-- answer.
CREATE TABLE oauth_device_codes (
    device_hash  BYTEA    PRIMARY KEY,
    user_hash    BYTEA    NOT NULL UNIQUE,
    client_id    TEXT    NOT NULL,
    scope        TEXT    NOT NULL,
    interval_s   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_poll_at BIGINT,
    slow_down    INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL DEFAULT 'pending',
    user_id      BIGINT REFERENCES users(id) ON DELETE CASCADE,
    auth_time    BIGINT NOT NULL DEFAULT 0,
    amr          TEXT    NOT NULL DEFAULT '[]',
    acr          TEXT    NOT NULL DEFAULT '',
    browser_sid  TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    decided_at   BIGINT,
    redeemed_at  BIGINT
);
CREATE INDEX oauth_device_codes_expires ON oauth_device_codes (expires_at);
