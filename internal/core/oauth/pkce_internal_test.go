package oauth

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

// RFC 7636 Appendix B's example.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestPKCEFollowsRFC7636sExampleAndRefusesEveryMismatch(t *testing.T) {
	if err := verifyPKCE(rfcChallenge, rfcVerifier); err != nil {
		t.Fatalf("RFC 7636 Appendix B: %v", err)
	}
	for _, c := range []struct{ name, challenge, verifier string }{
		{"another verifier", rfcChallenge, rfcVerifier[1:] + "A"},
		{"no verifier for a challenge", rfcChallenge, ""},
		{"a verifier for a code without a challenge", "", rfcVerifier},
		{"the challenge itself as verifier (plain)", rfcChallenge, rfcChallenge},
		{"a verifier too short", rfcChallenge, "abc"},
		{"a verifier with a forbidden character", rfcChallenge, rfcVerifier[:42] + "+"},
	} {
		if err := verifyPKCE(c.challenge, c.verifier); !errors.Is(err, core.ErrPKCE) {
			t.Errorf("%s: %v, want ErrPKCE", c.name, err)
		}
	}
	if err := verifyPKCE("", ""); err != nil {
		t.Errorf("no PKCE at all (a confidential client): %v", err)
	}
}
