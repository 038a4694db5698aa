-- Server-wide secret keys decided once and shared by every node, sealed
-- with the master key (gatehouse key rotate-master re-seals them): today
-- the HMAC key that signs the bank door's refresh tokens (docs/bank.md).
-- The first node to start stores one; every other node adopts it.
CREATE TABLE secrets (
    name       TEXT   PRIMARY KEY,
    sealed     BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);
