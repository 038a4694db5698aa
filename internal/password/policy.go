package password

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Policy is what a new password must satisfy before it is hashed. Lengths
// count characters (Unicode code points), not bytes, so that a Cyrillic
// password is judged like a Latin one. Zero fields take the defaults.
type Policy struct {
	MinLength int // default 8
	MaxLength int // default 128; bounds the work a single hash may cost
}

func (p Policy) withDefaults() Policy {
	if p.MinLength <= 0 {
		p.MinLength = 8
	}
	if p.MaxLength <= 0 {
		p.MaxLength = 128
	}
	return p
}

// Check returns nil when pw is acceptable as the new password of the
// account whose address is email ("" when none is known yet). Returns a
// core.Invalid error on field "password": code invalid_password for text
// that is not valid UTF-8 or holds NUL (which C-based hashers and many
// forms truncate at), weak_password for a length out of bounds, a
// password of whitespace only, or the account's own address or its local
// part (the first thing a guesser who knows the address tries), compared
// without regard to case.
func (p Policy) Check(pw, email string) error {
	p = p.withDefaults()
	if !utf8.ValidString(pw) || strings.ContainsRune(pw, 0) {
		return core.Invalid("invalid_password", "password",
			"password must be valid UTF-8 text without NUL characters")
	}
	n := utf8.RuneCountInString(pw)
	switch {
	case n < p.MinLength:
		return core.Invalid("weak_password", "password",
			fmt.Sprintf("password must be at least %d characters long, got %d", p.MinLength, n))
	case n > p.MaxLength:
		return core.Invalid("weak_password", "password",
			fmt.Sprintf("password must be at most %d characters long, got %d", p.MaxLength, n))
	case strings.TrimSpace(pw) == "":
		return core.Invalid("weak_password", "password",
			"password must not consist of whitespace only")
	case isAddress(pw, email):
		return core.Invalid("weak_password", "password",
			"password must not be the account's e-mail address or its part before the @")
	}
	return nil
}

// isAddress tells whether pw is email, or its local part, in any case.
func isAddress(pw, email string) bool {
	email = strings.TrimSpace(email)
	if email == "" {
		return false
	}
	local, _, _ := strings.Cut(email, "@")
	pw = strings.TrimSpace(pw)
	return strings.EqualFold(pw, email) || (local != "" && strings.EqualFold(pw, local))
}
