-- One row per key use ("sig", "enc"): a node about to create a key locks
-- its use's row first (SELECT … FOR UPDATE on PostgreSQL; SQLite's writing
-- transactions are serialised already), so that nodes starting together,
-- or rotating together, create one key between them and the others adopt
-- it. Rows of other uses are added by the first transaction that needs one.
CREATE TABLE key_locks (
    key_use TEXT PRIMARY KEY
);
INSERT INTO key_locks (key_use) VALUES ('sig'), ('enc');
