-- Permanent API keys (every door) and the cashdesk door's registry (seed 001):
-- cashier profiles, developers, cash registers and shifts. Times are INTEGER
-- unix microseconds UTC, as everywhere.

CREATE TABLE api_keys (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,        -- first characters of the key, shown in lists
    hash         BLOB    NOT NULL UNIQUE, -- SHA-256 of the whole key
    scopes       TEXT    NOT NULL DEFAULT '', -- space-separated
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);

CREATE TABLE developers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE cashier_profiles (
    user_id             INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    full_name           TEXT    NOT NULL DEFAULT '',
    edrpou              TEXT    NOT NULL DEFAULT '',
    drfo                TEXT    NOT NULL DEFAULT '',
    developer_id        INTEGER REFERENCES developers (id) ON DELETE SET NULL,
    cert_der            BLOB, -- NULL: no certificate
    cert_subject_key_id TEXT    NOT NULL DEFAULT '',
    cert_serial         TEXT    NOT NULL DEFAULT '',
    cert_subject        TEXT    NOT NULL DEFAULT '',
    cert_not_before     INTEGER,
    cert_not_after      INTEGER,
    cert_uploaded_at    INTEGER,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE registers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    fiscal_number TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE register_users (
    register_id INTEGER NOT NULL REFERENCES registers (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (register_id, user_id)
);
CREATE INDEX register_users_user ON register_users (user_id);

CREATE TABLE shifts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    register_id INTEGER NOT NULL REFERENCES registers (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER
);
-- At most one open shift per register and per cashier: the database, not a
-- read-then-write in Go, decides between concurrent opens.
CREATE UNIQUE INDEX shifts_open_register ON shifts (register_id) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX shifts_open_user ON shifts (user_id) WHERE closed_at IS NULL;
CREATE INDEX shifts_user ON shifts (user_id, opened_at);
