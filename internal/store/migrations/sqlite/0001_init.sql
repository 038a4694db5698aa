-- Gatehouse schema, SQLite dialect. Every time is INTEGER unix microseconds
-- UTC (see sqlstore/doc.go for why); NULL means "not yet".

CREATE TABLE users (
    -- AUTOINCREMENT: a deleted user's id is never handed out again, since
    -- the bank door shows the number and old tokens may still name it.
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid               TEXT    NOT NULL UNIQUE,
    email              TEXT    NOT NULL UNIQUE, -- normalised lower case
    email_confirmed_at INTEGER,
    password_hash      TEXT    NOT NULL DEFAULT '',
    name               TEXT    NOT NULL DEFAULT '',
    name_folded        TEXT    NOT NULL DEFAULT '', -- lower-cased in Go: SQLite's lower() is ASCII only
    locale             TEXT    NOT NULL DEFAULT '',
    source             TEXT    NOT NULL DEFAULT '',
    locked_at          INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_seen_at       INTEGER
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE addresses (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address    TEXT    NOT NULL,
    chain      TEXT    NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, address)
);

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    door       TEXT    NOT NULL,
    client_id  TEXT    NOT NULL DEFAULT '',
    audience   TEXT    NOT NULL DEFAULT '',
    pending    INTEGER NOT NULL DEFAULT 0,
    attrs      TEXT    NOT NULL DEFAULT '{}', -- JSON object of strings
    user_agent TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    hash       BLOB    PRIMARY KEY, -- SHA-256 of the token
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE codes (
    hash       BLOB    PRIMARY KEY, -- SHA-256 of the mailed secret
    kind       TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX codes_user_kind ON codes (user_id, kind);
CREATE INDEX codes_expiry ON codes (expires_at);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr      TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    sealed       BLOB, -- NULL once sent: the body carries codes
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    last_error   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_recent ON outbox (to_addr, kind, created_at);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

CREATE TABLE keys (
    kid            TEXT    PRIMARY KEY,
    key_use        TEXT    NOT NULL, -- "use" is a keyword in some dialects
    alg            TEXT    NOT NULL,
    private_sealed BLOB    NOT NULL,
    public_pem     TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    active_from    INTEGER NOT NULL,
    retire_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX keys_use_expiry ON keys (key_use, expires_at);
