-- The bank door (seed 000): OAuth clients, customers, roles and their
-- factor policies, memberships, users' bank profiles, trusted devices,
-- TOTP secrets and recovery codes, one-time codes and replayed-ciphertext
-- hashes. Times are INTEGER unix microseconds UTC, as in 0001.

CREATE TABLE bank_clients (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL DEFAULT '',
    secret_hash BLOB, -- SHA-256 of the secret; NULL for a public client
    grant_types TEXT    NOT NULL, -- JSON array
    user_types  TEXT    NOT NULL, -- JSON array
    access_ttl  INTEGER NOT NULL DEFAULT 0, -- seconds; 0 = server default
    refresh_ttl INTEGER NOT NULL DEFAULT 0,
    origins     TEXT    NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE bank_customers (
    id          INTEGER PRIMARY KEY, -- the bank's own number, or assigned
    name        TEXT    NOT NULL,
    external_id TEXT    NOT NULL DEFAULT '',
    branch_code TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE bank_roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL DEFAULT '',
    chains      TEXT    NOT NULL DEFAULT '[]', -- JSON array of arrays of factor names
    device_skip INTEGER NOT NULL DEFAULT 0,
    sign_level  TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE bank_memberships (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- the seed's customer_user_id
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES bank_customers (id) ON DELETE CASCADE,
    role_id     INTEGER NOT NULL REFERENCES bank_roles (id) ON DELETE RESTRICT,
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, customer_id)
);
CREATE INDEX bank_memberships_customer ON bank_memberships (customer_id);
CREATE INDEX bank_memberships_role ON bank_memberships (role_id);

CREATE TABLE bank_profiles (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    iin        TEXT    NOT NULL UNIQUE,
    phone      TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE bank_devices (
    id               TEXT    PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint_hash BLOB    NOT NULL, -- SHA-256 of the Device-Fingerprint header
    name             TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    last_used_at     INTEGER NOT NULL,
    UNIQUE (user_id, fingerprint_hash)
);

CREATE TABLE bank_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed       BLOB    NOT NULL, -- the secret, sealed with the master key
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

CREATE TABLE bank_recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE bank_otp (
    session_id   TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    factor       TEXT    NOT NULL,
    code_hash    BLOB    NOT NULL,
    destination  TEXT    NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    sends        INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    PRIMARY KEY (session_id, factor)
);
CREATE INDEX bank_otp_expiry ON bank_otp (expires_at);

CREATE TABLE bank_ciphertexts (
    hash       BLOB    PRIMARY KEY, -- SHA-256 of a credential ciphertext
    expires_at INTEGER NOT NULL
);
CREATE INDEX bank_ciphertexts_expiry ON bank_ciphertexts (expires_at);
