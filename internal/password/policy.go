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

// Check returns nil when pw is acceptable as a new password. Returns a
// core.Invalid error on field "password": code invalid_password for text
// that is not valid UTF-8 or holds NUL (which C-based hashers and many
// forms truncate at), weak_password for a length out of bounds or a
// password of whitespace only.
func (p Policy) Check(pw string) error {
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
	}
	return nil
}
