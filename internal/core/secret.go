package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewSecret returns 256 random bits, base64url without padding: the form of
// refresh tokens, mailed codes and API key bodies. 256 bits because the
// confirm link carries no e-mail, so a code must be unguessable across all
// pending users at once (docs/design.md "Decisions").
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how secrets are stored: SHA-256 suffices because they carry
// 256 bits of entropy (no dictionary to try), and it keeps lookups cheap.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Sealer encrypts small secrets at rest with the master key (AES-GCM).
type Sealer interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}
