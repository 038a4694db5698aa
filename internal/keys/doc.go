// Package keys keeps Gatehouse's keys: the master key that seals secrets at
// rest, and the rings of signing and credential-encryption keys with their
// published forms (JWKS, SPKI PEM). See docs/design.md "Decisions".
//
// A Ring is a set of keys of one use ("sig" or "enc") kept in the store,
// private halves sealed with the master key. Each key has a timeline:
//
//	CreatedAt ≤ ActiveFrom ─ signs ─ RetireAt ─ still verifies ─ ExpiresAt
//
// The next signing key is created and published before the current one
// retires, so verifiers that cache the JWKS meet it before any token it
// signed; a retired key stays published until the last token it signed
// (TokenTTL) has expired.
package keys
