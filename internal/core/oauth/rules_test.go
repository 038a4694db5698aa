package oauth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// The standard door's rules, called directly on a real SQLite store.

const cb = "https://app.example/cb"

var ctx = context.Background()

func client(t *testing.T, e *coretest.Env, spec bank.ClientSpec) bank.Client {
	t.Helper()
	c, _, err := e.Bank.CreateClient(ctx, spec)
	if err != nil {
		t.Fatalf("CreateClient(%s): %v", spec.ID, err)
	}
	return c
}

func TestAClientWithRedirectURIsGetsTheCodeGrantsAndContradictionsAreRefused(t *testing.T) {
	e := coretest.New(t)
	c := client(t, e, bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	if len(c.GrantTypes) != 2 || c.GrantTypes[0] != bank.GrantAuthorizationCode || c.GrantTypes[1] != bank.GrantRefreshToken ||
		c.Method() != bank.AuthSecretBasic || len(c.ResponseTypes) != 1 {
		t.Fatalf("a client with redirect URIs: grants %v, method %s, response types %v", c.GrantTypes, c.Method(), c.ResponseTypes)
	}
	b := client(t, e, bank.ClientSpec{ID: "bank-app"})
	if len(b.GrantTypes) != 4 || b.Method() != bank.AuthNone {
		t.Fatalf("a bank client keeps the bank's grants: %v, method %s", b.GrantTypes, b.Method())
	}
	for _, s := range []bank.ClientSpec{
		{ID: "x1", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}, AuthMethod: bank.AuthNone}},
		{ID: "x2", Metadata: bank.Metadata{RedirectURIs: []string{cb}, AuthMethod: bank.AuthSecretPost}},
		{ID: "x3", GrantTypes: []string{bank.GrantClientCredentials}},
		{ID: "x4", GrantTypes: []string{bank.GrantAuthorizationCode}},
		{ID: "x5", Metadata: bank.Metadata{RedirectURIs: []string{"/relative"}}},
		{ID: "x6", Metadata: bank.Metadata{RedirectURIs: []string{cb + "#f"}}},
		{ID: "x7", Confidential: true, Metadata: bank.Metadata{Resources: []string{e.App.Config.PublicURL + "/v1"}}},
		{ID: "x8", Metadata: bank.Metadata{RedirectURIs: []string{cb}, AuthMethod: bank.AuthPrivateKeyJWT}},
		{ID: "x9", Metadata: bank.Metadata{RedirectURIs: []string{cb}, ResponseTypes: []string{"token"}}},
		{ID: "x10", Confidential: true, GrantTypes: []string{bank.GrantClientCredentials}}, // no resources: no audience to name
	} {
		if _, _, err := e.Bank.CreateClient(ctx, s); err == nil || core.KindOf(err) != core.KindInvalid {
			t.Errorf("client %s (%+v): %v, want an invalid request", s.ID, s.Metadata, err)
		}
	}
}

func TestAnAuthorizationRequestIsJudgedInTheOrderThePageAndTheRedirectNeed(t *testing.T) {
	e := coretest.New(t)
	client(t, e, bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}, Scope: "openid email"}})
	client(t, e, bank.ClientSpec{ID: "spa", Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	ok := oauth.Request{ClientID: "app", RedirectURI: cb, ResponseType: "code", Scope: "openid", MaxAge: -1}
	s256 := func(r oauth.Request) oauth.Request {
		r.CodeChallenge, r.CodeChallengeMethod = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256"
		return r
	}
	for _, c := range []struct {
		name string
		edit func(oauth.Request) oauth.Request
		want error
	}{
		{"a good request", func(r oauth.Request) oauth.Request { return r }, nil},
		{"an unknown client", func(r oauth.Request) oauth.Request { r.ClientID = "nobody"; return r }, core.ErrInvalidClient},
		{"a redirect URI not registered", func(r oauth.Request) oauth.Request { r.RedirectURI = cb + "/"; return r }, core.ErrRedirectURI},
		{"an unknown client beats a bad redirect URI", func(r oauth.Request) oauth.Request { r.ClientID, r.RedirectURI = "nobody", "x"; return r }, core.ErrInvalidClient},
		{"response_type token", func(r oauth.Request) oauth.Request { r.ResponseType = "token"; return r }, core.ErrUnsupportedResponseType},
		{"no openid scope", func(r oauth.Request) oauth.Request { r.Scope = "email"; return r }, core.ErrInvalidScope},
		{"a scope the client may not ask for", func(r oauth.Request) oauth.Request { r.Scope = "openid profile"; return r }, core.ErrInvalidScope},
		{"a public client without PKCE", func(r oauth.Request) oauth.Request { r.ClientID = "spa"; return r }, core.Invalid("invalid_request", "", "")},
		{"a public client with S256", func(r oauth.Request) oauth.Request { r.ClientID = "spa"; return s256(r) }, nil},
		{"PKCE plain", func(r oauth.Request) oauth.Request { r = s256(r); r.CodeChallengeMethod = "plain"; return r }, core.Invalid("invalid_request", "", "")},
		{"an unknown prompt", func(r oauth.Request) oauth.Request { r.Prompt = "select_account"; return r }, core.Invalid("invalid_request", "", "")},
	} {
		r := c.edit(ok)
		_, err := e.App.OAuth.Check(ctx, &r)
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != nil && err == nil:
			t.Errorf("%s: accepted, want %v", c.name, c.want)
		case c.want != nil && codeOf(err) != codeOf(c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestPromptMaxAgeAndConsentDecideWhatARequestNeeds(t *testing.T) {
	e := coretest.New(t)
	app := client(t, e, bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	u, err := e.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := e.App.OAuth
	kept, err := o.Keep(ctx, oauth.Request{ClientID: "app", RedirectURI: cb, ResponseType: "code", Scope: "openid email", MaxAge: -1, Prompt: "login"})
	if err != nil {
		t.Fatal(err)
	}
	before := oauth.Login{AccountID: u.UUID, AuthTime: e.Clock.Now().Add(-time.Hour)}
	after := oauth.Login{AccountID: u.UUID, AuthTime: e.Clock.Now()}
	decide := func(r oauth.Request, l oauth.Login, ok bool) (oauth.Next, error) { return o.Decide(ctx, app, r, l, ok) }

	if n, err := decide(kept, before, true); err != nil || n != oauth.NextSignIn {
		t.Errorf("prompt=login with a sign-in older than the request: %v %v, want a sign-in", n, err)
	}
	if n, err := decide(kept, after, true); err != nil || n != oauth.NextConsent {
		t.Errorf("prompt=login after a new sign-in, no consent yet: %v %v, want consent", n, err)
	}
	none := kept
	none.Prompt = "none"
	if _, err := decide(none, after, false); !errors.Is(err, core.ErrLoginRequired) {
		t.Errorf("prompt=none without a sign-in: %v, want login_required", err)
	}
	if _, err := decide(none, after, true); !errors.Is(err, core.ErrConsentRequired) {
		t.Errorf("prompt=none without consent: %v, want consent_required", err)
	}
	if err := o.GrantConsent(ctx, u.ID, "app", "openid email"); err != nil {
		t.Fatal(err)
	}
	if n, err := decide(none, after, true); err != nil || n != oauth.NextIssue {
		t.Errorf("prompt=none with a consent covering the scopes: %v %v, want a code", n, err)
	}
	wider := none
	wider.Scope = "openid email profile"
	if _, err := decide(wider, after, true); !errors.Is(err, core.ErrConsentRequired) {
		t.Errorf("a scope beyond the consent: %v, want consent_required", err)
	}
	again := none
	again.Prompt = "consent"
	if n, _ := decide(again, after, true); n != oauth.NextConsent {
		t.Errorf("prompt=consent asks again: %v", n)
	}
	aged := none
	aged.MaxAge = 60
	if _, err := decide(aged, before, true); !errors.Is(err, core.ErrLoginRequired) {
		t.Errorf("max_age exceeded with prompt=none: %v, want login_required", err)
	}
	if err := o.RevokeConsent(ctx, u.ID, "app"); err != nil {
		t.Fatal(err)
	}
	if _, err := decide(none, after, true); !errors.Is(err, core.ErrConsentRequired) {
		t.Errorf("after the consent was revoked: %v, want consent_required", err)
	}
	if list, err := o.Consents(ctx, u.ID); err != nil || len(list) != 0 {
		t.Errorf("consents after revocation: %v %v", list, err)
	}
}

func codeOf(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
