-- Server-wide values decided once and shared by every node: today the
-- SHA-256 of the admin token generated at first start (DESIGN.md).
CREATE TABLE settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
