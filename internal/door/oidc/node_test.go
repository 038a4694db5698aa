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

	jose "github.com/go-jose/go-jose/v4"

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
// introspection, revocation, a wrong secret, RP-initiated logout with
// buildEndSessionUrl; and a service client that authenticates with
// private_key_jwt at the token, introspection and revocation endpoints,
// refused with another key.
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
	key := fixtureKey(t, "p256-4", "k1", jose.ES256)
	r.keyClient("node-svc", key)
	private, err := json.Marshal(jose.JSONWebKey{Key: key.signer, KeyID: key.kid, Algorithm: string(key.alg), Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(node, "rp.mjs")
	cmd.Dir = rpDir
	cmd.Env = append(os.Environ(), "ISSUER="+r.URL, "CLIENT_ID=node-rp", "CLIENT_SECRET="+secret,
		"REDIRECT_URI="+callback, "POST_LOGOUT_REDIRECT_URI=https://app.example/bye", "SESSION_COOKIE="+r.cookie.Name+"="+r.cookie.Value,
		"KEY_CLIENT_ID=node-svc", "KEY_CLIENT_JWK="+string(private), "KEY_CLIENT_RESOURCE=https://api.example")
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

		KeyToken, KeyIntrospected, KeyRevocationAccepted         bool
		KeyWrongToken, KeyWrongIntrospection, KeyWrongRevocation string
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
	case !out.KeyToken || !out.KeyIntrospected || !out.KeyRevocationAccepted:
		t.Fatalf("private_key_jwt: token %v, introspected %v, revocation accepted %v", out.KeyToken, out.KeyIntrospected, out.KeyRevocationAccepted)
	case out.KeyWrongToken != "invalid_client" || out.KeyWrongIntrospection != "invalid_client" || out.KeyWrongRevocation != "invalid_client":
		t.Fatalf("private_key_jwt with another key: token %q, introspection %q, revocation %q; want invalid_client",
			out.KeyWrongToken, out.KeyWrongIntrospection, out.KeyWrongRevocation)
	}
}
