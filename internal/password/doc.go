// Package password hashes and checks user passwords for the identity core
// (docs/design.md "Decisions").
//
// New hashes are argon2id in the PHC string format, so that the parameters
// travel with the hash and can be raised later: Verify reads them from the
// hash and reports rehash when they differ from the configured ones. bcrypt
// hashes ($2a$, $2b$, $2y$) imported from other systems verify too and are
// always flagged for rehash.
//
// Every hash runs behind a bounded worker pool: at most Workers run at once,
// and a caller finding them busy waits while its expected wait — its place
// in the queue × the measured time of one hash ÷ Workers — is within
// MaxWait. Beyond that it gets core.ErrOverloaded at once (the door answers
// 503 with Retry-After, that wait). Only workers hold argon2id's memory, so
// memory never grows with the number of concurrent logins.
//
// Policy checks a new password's length and shape before it is hashed.
package password
