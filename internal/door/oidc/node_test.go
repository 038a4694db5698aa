package oidc_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// rpDir is the Node relying party (tools/oidc-rp; `npm ci` there installs
// openid-client from the lock file, as .ci/run does).
const rpDir = "../../../tools/oidc-rp"

// TestTheStrictNodeRelyingPartySignsInRefreshesAndRevokes runs openid-client
// (a strict RP: iss in the authorization response, nonce, PKCE, at_hash)
// against a live server: the code flow through the sign-in continuation,
// userinfo, a reused code refused with its grant revoked, refresh,
// introspection, revocation, a wrong secret, and RP-initiated logout with
// buildEndSessionUrl.
func TestTheStrictNodeRelyingPartySignsInRefreshesAndRevokes(t *testing.T) {
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(rpDir, "node_modules", "openid-client")); err != nil || statErr != nil {
		if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
			t.Fatalf("node (%v) or tools/oidc-rp/node_modules (%v) is missing: run npm ci in tools/oidc-rp", err, statErr)
		}
		t.Skip("node or tools/oidc-rp/node_modules is missing (npm ci in tools/oidc-rp)")
	}
	r := newRP(t, testenv.SQLite)
	// openid-client judges iat and exp by the real clock: the server's
	// test clock is set to it (the clock only moves forward).
	r.Clock.Advance(time.Until(r.Clock.Now()) * -1)
	secret := r.client(bank.ClientSpec{ID: "node-rp", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{"https://app.example/bye"},
			SkipConsent: true}})
	uuid := r.signUp("ann@example.com", "correct horse 1")

	cmd := exec.Command(node, "rp.mjs")
	cmd.Dir = rpDir
	cmd.Env = append(os.Environ(), "ISSUER="+r.URL, "CLIENT_ID=node-rp", "CLIENT_SECRET="+secret,
		"REDIRECT_URI="+callback, "POST_LOGOUT_REDIRECT_URI=https://app.example/bye", "SESSION_COOKIE="+r.cookie.Name+"="+r.cookie.Value)
	outb, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node rp.mjs: %v\n%s\n%s", err, outb, stderr)
	}
	var out struct {
		Sub, Email, ReusedCode, WrongSecret                            string
		AMR                                                            []string
		FirstGrantAfterReuse, Refreshed, Introspected, AfterRevocation bool
		LogoutStatus                                                   int
		LogoutBack, AfterLogout                                        bool
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(outb))), &out); err != nil {
		t.Fatalf("rp.mjs printed %q: %v", outb, err)
	}
	switch {
	case out.Sub != uuid || out.Email != "ann@example.com" || !slices.Equal(out.AMR, []string{"pwd"}):
		t.Fatalf("sign-in: %+v, want sub %s, ann's address, amr [pwd]", out, uuid)
	case out.ReusedCode != "invalid_grant" || out.FirstGrantAfterReuse:
		t.Fatalf("reused code: %q, first grant still active %v", out.ReusedCode, out.FirstGrantAfterReuse)
	case !out.Refreshed || !out.Introspected || out.AfterRevocation:
		t.Fatalf("refresh %v, introspection %v, active after revocation %v", out.Refreshed, out.Introspected, out.AfterRevocation)
	case out.WrongSecret != "invalid_client":
		t.Fatalf("a wrong secret: %q, want invalid_client", out.WrongSecret)
	case out.LogoutStatus != 303 || !out.LogoutBack || out.AfterLogout:
		t.Fatalf("logout: %d, back at the registered URI with the state %v, grant active after %v", out.LogoutStatus, out.LogoutBack, out.AfterLogout)
	}
}
