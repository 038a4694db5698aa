package identity

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestSpellingsOfOneAddressShareOneKey(t *testing.T) {
	cases := []struct{ name, a, b, key string }{
		{"precomposed and combining acute", "josé.n@example.com", "jose\u0301.n@example.com", "josé.n@example.com"},
		{"precomposed and combining umlaut", "jürgen.n@example.com", "ju\u0308rgen.n@example.com", "jürgen.n@example.com"},
		{"upper and lower case", "Ann.Lee@Example.COM", "ann.lee@example.com", "ann.lee@example.com"},
		{"full-width letters", "ＡＮＮ@example.com", "ann@example.com", "ann@example.com"},
		{"Unicode and A-label domain", "anna@bücher.example", "anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"},
		{"upper-case Unicode domain", "anna@BÜCHER.example", "anna@bücher.example", "anna@xn--bcher-kva.example"},
		{"surrounding space", "  ann@example.com\t", "ann@example.com", "ann@example.com"},
		{"upper-case Greek", "ΣΑΣ@example.com", "σασ@example.com", "σασ@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ka, errA := EmailKey(c.a)
			kb, errB := EmailKey(c.b)
			if errA != nil || errB != nil || ka != c.key || kb != c.key {
				t.Fatalf("EmailKey(%q) = %q, %v; EmailKey(%q) = %q, %v; want both %q", c.a, ka, errA, c.b, kb, errB, c.key)
			}
			if LookupKey(c.a) != c.key || LookupKey(c.b) != c.key {
				t.Fatalf("LookupKey(%q) = %q, LookupKey(%q) = %q; want %q", c.a, LookupKey(c.a), c.b, LookupKey(c.b), c.key)
			}
		})
	}
}

func TestDistinctMailboxesKeepDistinctKeys(t *testing.T) {
	// Case folding would merge these; RFC 8265 maps to lower case only.
	pairs := [][2]string{
		{"straße@example.com", "strasse@example.com"},
		{"anna@straße.example", "anna@strasse.example"}, // non-transitional IDNA keeps ß
		{"ann+a@example.com", "ann@example.com"},
		{"a.nn@example.com", "ann@example.com"},
	}
	for _, p := range pairs {
		ka, errA := EmailKey(p[0])
		kb, errB := EmailKey(p[1])
		if errA != nil || errB != nil || ka == kb {
			t.Errorf("EmailKey(%q) = %q, %v; EmailKey(%q) = %q, %v; want two keys", p[0], ka, errA, p[1], kb, errB)
		}
	}
}

func TestAddressesPRECISOrIDNARefuseAreInvalidAndNameTheField(t *testing.T) {
	cases := map[string]string{
		"zero-width space in the local part":     "an\u200bn@example.com",
		"zero-width joiner in the local part":    "an\u200dn@example.com",
		"zero-width space in the domain":         "ann@exa\u200bmple.com",
		"soft hyphen in the domain":              "ann@exa\u00admple.com",
		"right-to-left override":                 "ann\u202e@example.com",
		"left-to-right mark":                     "\u200eann@example.com",
		"right-to-left override in the domain":   "ann@exam\u202eple.com",
		"byte-order mark":                        "\ufeffann@example.com",
		"control character":                      "an\x01n@example.com",
		"65-octet local part":                    strings.Repeat("a", 65) + "@example.com",
		"local part of 33 two-octet letters":     strings.Repeat("é", 33) + "@example.com",
		"255-octet address":                      "a@" + strings.Repeat("b", 249) + ".com",
		"ligature PRECIS refuses":                "\ufb01le@example.com",
		"space inside":                           "a nn@example.com",
		"underscore in the domain":               "ann@exa_mple.com",
		"label starting with a hyphen":           "ann@-example.com",
		"full-width at sign that maps to syntax": "a\uff20b@example.com",
		"no dot in the domain":                   "ann@localhost",
		"empty label":                            "ann@example..com",
		"a name and brackets":                    "Ann <ann@example.com>",
		"two addresses":                          "a@example.com,b@example.com",
		"invalid UTF-8":                          "\xffann@example.com",
	}
	for name, addr := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateEmail("login", addr)
			var e *core.Error
			if err == nil || core.KindOf(err) != core.KindInvalid || !asError(err, &e) || e.Code != "invalid_email" || e.Field != "login" {
				t.Fatalf("ValidateEmail(%q) = %v; want invalid_email naming login", addr, err)
			}
			if _, err := EmailKey(addr); err == nil {
				t.Fatalf("EmailKey(%q) has a key", addr)
			}
		})
	}
	if err := ValidateEmail("login", " "); core.KindOf(err) != core.KindInvalid {
		t.Fatalf("ValidateEmail(blank) = %v", err)
	}
	ok := strings.Repeat("a", 64) + "@example.com"
	if err := ValidateEmail("login", ok); err != nil {
		t.Fatalf("a 64-octet local part is refused: %v", err)
	}
}

func TestAddressesStoredBeforeTheKeyLookUpUnderTheirOldKey(t *testing.T) {
	// Refused now, accepted once: the key is the old lower-cased form, so
	// such an account still signs in, and garbage finds nothing.
	for _, stored := range []string{strings.Repeat("a", 65) + "@example.com", "an\u200bn@example.com", "ann@exa_mple.com"} {
		typed := strings.ToUpper(stored[:1]) + stored[1:]
		if got := LookupKey(" " + typed + " "); got != stored {
			t.Errorf("LookupKey(%q) = %q, want the old key %q", typed, got, stored)
		}
	}
}

func asError(err error, target **core.Error) bool {
	e, ok := err.(*core.Error)
	if ok {
		*target = e
	}
	return ok
}
