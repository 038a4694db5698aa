// Package keys keeps Gatehouse's keys: the master key that seals secrets at
// rest, and the rings of signing and credential-encryption keys with their
// published forms (JWKS, SPKI PEM). See docs/design.md "Decisions".
//
// A Ring is a set of keys of one use ("sig" or "enc") kept in the store,
// private halves sealed with the master key, shared by every node. Each key
// has a timeline:
//
//	CreatedAt ≤ ActiveFrom ─ signs ─ RetireAt ─ still verifies ─ ExpiresAt
//
// Every node reloads its ring at least every Sync (GATEHOUSE_KEY_SYNC_INTERVAL),
// and verifiers may cache the published key set for CacheMaxAge
// (GATEHOUSE_JWKS_MAX_AGE). So a key is stored at least Lead = CacheMaxAge +
// Sync before it signs (for enc keys: before it is handed out to encrypt
// with): by then every node has loaded it and every cached key set holds it.
// The next key exists before the current one retires, and a retired key
// stays published until the last token it signed (TokenTTL) has expired.
// Nodes create keys one at a time through the store; a node that finds a
// key missing and loses the race adopts the winner's.
package keys
