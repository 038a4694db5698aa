-- Requests made with an Idempotency-Key header (core/store_idempotency.go):
-- the key binds, per endpoint and caller, a request to its reply, kept
-- sealed with the master key for 24 hours. Times are unix microseconds UTC.
CREATE TABLE idempotency_keys (
    -- SHA-256 of the endpoint, the caller and the key (the key is not stored).
    id           BLOB    PRIMARY KEY,
    request_hash BLOB    NOT NULL,
    -- The random token of the request running it; '' once the reply is kept.
    owner        TEXT    NOT NULL DEFAULT '',
    lease_until  BIGINT  NOT NULL DEFAULT 0,
    -- The reply's HTTP status once done; 0 while the request runs.
    status       INTEGER NOT NULL DEFAULT 0,
    sealed       BLOB,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
