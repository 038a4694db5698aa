package oidc_test

import (
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A client not marked skip_consent: without the user's consent the door
// keeps the request and sends the browser to the consent page (never a
// code); with prompt=none it answers consent_required to the client.
func TestAClientWithoutSkipConsentIsSentToTheConsentPageOrToldConsentRequired(t *testing.T) {
	r := newRP(t, testenv.SQLite)
	secret := r.client(bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{callback}}})
	r.signUp("ann@example.com", "correct horse 1")
	f := r.relyingParty("app", secret, gooidc.ScopeOpenID, "email")

	to := location(t, r.browse(f.conf.AuthCodeURL("s1"), true))
	id := to.Query().Get("request_id")
	if to.Path != "/oauth2/consent" || id == "" || to.Host != "" {
		t.Fatalf("no consent yet: redirected to %s, want this server's /oauth2/consent?request_id=", to)
	}
	if strings.Contains(to.RawQuery, "scope") || strings.Contains(to.RawQuery, "client_id") {
		t.Errorf("the consent page's address %s carries the request's parameters, want its id only", to)
	}
	if e := redirectedError(t, r, f.conf.AuthCodeURL("s2", oauth2.SetAuthURLParam("prompt", "none"))); e != "consent_required" {
		t.Fatalf("prompt=none without consent: error %q, want consent_required", e)
	}
	// The kept request's continuation goes to the page again until it is answered.
	if to := location(t, r.browse("/oauth2/authorize?request_id="+id, true)); to.Path != "/oauth2/consent" || to.Query().Get("request_id") != id {
		t.Fatalf("the unanswered request's continuation: %s, want the same consent page", to)
	}
}
