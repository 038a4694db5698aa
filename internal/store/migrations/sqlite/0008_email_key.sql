-- The key of each account's e-mail address (internal/core/email.go,
-- SECURITY.md "E-mail identity"): the identity every look-up uses, while
-- email keeps the spelling mail goes to. SQL cannot compute the key
-- (PRECIS, IDNA): the migrator fills it in Go after this file, and makes
-- it unique only when no two stored addresses share a key (emailkeys.go).
ALTER TABLE users ADD COLUMN email_key TEXT;
