package console

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseChains holds the role form's chains field to its contract:
// whatever is typed, parseChains returns chains that bank.CheckChains
// accepts or an error, never panics, and what it accepts reads back the
// same after formatChains.
func FuzzParseChains(f *testing.F) {
	for _, seed := range []string{"", "TOTP", "totp\nOTP_SMS + OTP_EMAIL", "OTP_SMS,OTP_EMAIL\r\n\r\nTOTP", "TOTP TOTP",
		"PIGEON", strings.Repeat("TOTP\n", 9), "\x00", "ＴＯＴＰ", strings.Repeat("x", 2000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		chains, err := parseChains(text)
		if err != nil {
			return
		}
		if len(text) > maxChainsText {
			t.Fatalf("accepted %d bytes", len(text))
		}
		for _, ch := range chains {
			for _, factor := range ch {
				if !utf8.ValidString(factor) || strings.ContainsAny(factor, " ,+\n\r\t") {
					t.Fatalf("factor %q", factor)
				}
			}
		}
		again, err := parseChains(formatChains(chains))
		if err != nil || !slices.EqualFunc(again, chains, slices.Equal) {
			t.Fatalf("%q → %v → %q → %v (%v)", text, chains, formatChains(chains), again, err)
		}
	})
}
