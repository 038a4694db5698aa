package idempotency

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// MaxKeyLength caps a key. The draft sets no length; 255 holds any UUID,
// ULID or hash a client would send, and bounds what a stranger can make
// the server hash and look up.
const MaxKeyLength = 255

// ParseKey reads the values of the Idempotency-Key header: present is
// false when there is none. The draft defines the field as a Structured
// Field String (RFC 8941 §3.3.3, in double quotes); most clients send the
// bare characters, so both are accepted. A key is 1 to MaxKeyLength
// characters among letters, digits and - _ . : ~ + / = (a UUID, base64 or
// base64url); anything else, or more than one value, is
// core.ErrIdempotencyKeyInvalid.
func ParseKey(values []string) (key string, present bool, err error) {
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", true, core.ErrIdempotencyKeyInvalid
	}
	key = strings.TrimSpace(values[0])
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
	}
	if key == "" || len(key) > MaxKeyLength {
		return "", true, core.ErrIdempotencyKeyInvalid
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return "", true, core.ErrIdempotencyKeyInvalid
		}
	}
	return key, true, nil
}

func keyByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.:~+/=", c) >= 0
}
