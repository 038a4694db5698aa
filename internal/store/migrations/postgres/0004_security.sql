-- Security: the audit log and the counters of progressive lockout
-- (core/store_security.go). Times are BIGINT unix microseconds UTC.

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT  NOT NULL,
    type       TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    -- No foreign key: the trail must outlive a deleted account. 0 = none.
    user_id    BIGINT  NOT NULL DEFAULT 0,
    actor      TEXT    NOT NULL DEFAULT '',
    subject    TEXT    NOT NULL DEFAULT '',
    ip         TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '{}' -- JSON object of strings
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_type ON audit_log (type, at);

CREATE TABLE login_attempts (
    -- "acct:LOGIN" or "pair:LOGIN|IP"; LOGIN is the address string tried,
    -- whether or not an account has it (no enumeration through counters).
    attempt_key  TEXT    PRIMARY KEY,
    failures     BIGINT  NOT NULL DEFAULT 0,
    first_at     BIGINT  NOT NULL DEFAULT 0,
    last_at      BIGINT  NOT NULL DEFAULT 0,
    locked_until BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX login_attempts_last ON login_attempts (last_at);
