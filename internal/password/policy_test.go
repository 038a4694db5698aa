package password

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestPolicyCheck(t *testing.T) {
	cases := []struct {
		name, pw string
		email    string // the account's address; "" for none
		policy   Policy
		code     string // "" when acceptable
		inMsg    string
	}{
		{name: "eight ASCII", pw: "abcdefgh"},
		{name: "seven ASCII", pw: "abcdefg", code: "weak_password", inMsg: "at least 8"},
		{name: "eight Cyrillic (16 bytes)", pw: "пароль12"},
		{name: "seven Cyrillic (14 bytes) is short", pw: "парольй", code: "weak_password", inMsg: "at least 8"},
		{name: "four emoji are four characters", pw: "😀😀😀😀", code: "weak_password", inMsg: "got 4"},
		{name: "128 characters", pw: strings.Repeat("ж", 128)},
		{name: "129 characters", pw: strings.Repeat("a", 129), code: "weak_password", inMsg: "at most 128"},
		{name: "spaces only", pw: strings.Repeat(" ", 10), code: "weak_password", inMsg: "whitespace"},
		{name: "mixed whitespace only", pw: "\t \n \u00a0\u2003  \r ", code: "weak_password", inMsg: "whitespace"},
		{name: "inner spaces are fine", pw: "correct horse battery"},
		{name: "NUL", pw: "abcd\x00efgh", code: "invalid_password", inMsg: "NUL"},
		{name: "invalid UTF-8", pw: "abcdefg\xff", code: "invalid_password", inMsg: "UTF-8"},
		{name: "custom minimum", pw: "abcdefghij", policy: Policy{MinLength: 12}, code: "weak_password", inMsg: "at least 12"},
		{name: "custom maximum", pw: "abcdefghij", policy: Policy{MaxLength: 9}, code: "weak_password", inMsg: "at most 9"},
		{name: "the account's address", pw: "Ann.Lee@Example.com", email: "ann.lee@example.com", code: "weak_password", inMsg: "e-mail address"},
		{name: "the address's local part", pw: "ANN.LEE2024", email: "ann.lee2024@example.com", code: "weak_password", inMsg: "before the @"},
		{name: "the local part padded with spaces", pw: " ann.lee2024 ", email: "ann.lee2024@example.com", code: "weak_password", inMsg: "e-mail"},
		{name: "the address within a longer password", pw: "ann.lee2024 is me", email: "ann.lee2024@example.com"},
		{name: "someone else's address", pw: "bob.b@example.com", email: "ann.lee@example.com"},
		{name: "no address known", pw: "ann.lee@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Check(tc.pw, tc.email)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Check = %v; want nil", err)
				}
				return
			}
			var e *core.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %v; want a *core.Error", err)
			}
			if e.Kind != core.KindInvalid || e.Code != tc.code || e.Field != "password" {
				t.Fatalf("Check = %+v; want KindInvalid, code %q, field password", e, tc.code)
			}
			if !strings.Contains(e.Message, tc.inMsg) {
				t.Fatalf("message %q lacks %q", e.Message, tc.inMsg)
			}
		})
	}
}
