package oauth_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

func user(t testing.TB, e *coretest.Env, email string) identity.User {
	t.Helper()
	u, err := e.Identity.AdminCreateUser(ctx, identity.Registration{Email: email, Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTheConsentPagesAnswerCountsForTheAccountThatGaveIt(t *testing.T) {
	e := coretest.New(t)
	app := client(t, e, bank.ClientSpec{ID: "app", Name: "Album", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	ann, bob := user(t, e, "ann@example.com"), user(t, e, "bob@example.com")
	o := e.App.OAuth
	asAnn := oauth.Login{AccountID: ann.UUID, AuthTime: e.Clock.Now()}
	asBob := oauth.Login{AccountID: bob.UUID, AuthTime: e.Clock.Now()}
	keep := func(scope, prompt string) oauth.Request {
		t.Helper()
		r, err := o.Keep(ctx, oauth.Request{ClientID: "app", RedirectURI: cb, ResponseType: "code", Scope: scope, Prompt: prompt, MaxAge: -1})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	kept := func(r oauth.Request) oauth.Request {
		t.Helper()
		r, err := o.Kept(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	r := keep("openid email email", "consent")
	q, err := o.ConsentQuestion(ctx, r.ID, ann.ID)
	if err != nil || q.Client.Name != "Album" || q.RedirectURI != cb || !slices.Equal(q.Scopes, []string{"openid", "email"}) || !slices.Equal(q.New, q.Scopes) {
		t.Fatalf("a first question: %+v %v, want Album asking openid and email, both new", q, err)
	}
	if err := o.AnswerConsent(ctx, r.ID, ann, true); err != nil {
		t.Fatal(err)
	}
	if n, err := o.Decide(ctx, app, kept(r), asAnn, true); err != nil || n != oauth.NextIssue {
		t.Errorf("prompt=consent answered Allow by ann, ann signed in: %v %v, want a code", n, err)
	}
	if n, err := o.Decide(ctx, app, kept(r), asBob, true); err != nil || n != oauth.NextConsent {
		t.Errorf("ann's Allow with bob signed in: %v %v, want bob asked", n, err)
	}
	if n, err := o.Decide(ctx, app, keep("openid email", "consent"), asAnn, true); err != nil || n != oauth.NextConsent {
		t.Errorf("a new request with prompt=consent: %v %v, want the page again", n, err)
	}

	wider := keep("openid email offline_access", "")
	if q, err := o.ConsentQuestion(ctx, wider.ID, ann.ID); err != nil || !slices.Equal(q.New, []string{"offline_access"}) {
		t.Errorf("a wider request's question: %+v %v, want only offline_access new", q, err)
	}
	if err := o.AnswerConsent(ctx, wider.ID, ann, false); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Decide(ctx, app, kept(wider), asAnn, true); !errors.Is(err, core.ErrAccessDenied) {
		t.Errorf("a request ann denied: %v, want access_denied", err)
	}
	if n, err := o.Decide(ctx, app, kept(wider), asBob, true); err != nil || n != oauth.NextConsent {
		t.Errorf("ann's Deny with bob signed in: %v %v, want bob asked", n, err)
	}
	if list, _ := o.Consents(ctx, ann.ID); len(list) != 1 || list[0].Scope != "openid email" {
		t.Errorf("after a Deny the consent is %+v, want openid email unchanged", list)
	}
	if _, err := o.ConsentQuestion(ctx, "2b1c8f0e-0000-4000-8000-000000000000", ann.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("an unknown request's question: %v, want not found", err)
	}
	if err := o.AnswerConsent(ctx, "not-a-uuid", ann, true); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("an answer to no request: %v, want not found", err)
	}
}

func TestRevokingAConsentEndsThatClientsGrantsAndNoOtherSessions(t *testing.T) {
	e := coretest.New(t)
	app := client(t, e, bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	other := client(t, e, bank.ClientSpec{ID: "other", Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb}}})
	ann := user(t, e, "ann@example.com")
	o := e.App.OAuth
	login := oauth.Login{AccountID: ann.UUID, AuthTime: e.Clock.Now()}
	grant := func(c bank.Client) string { // a code of c, consented
		t.Helper()
		if err := o.GrantConsent(ctx, ann.ID, c.ID, "openid offline_access"); err != nil {
			t.Fatal(err)
		}
		code, err := o.IssueCode(ctx, oauth.Request{ClientID: c.ID, RedirectURI: cb, Scope: "openid offline_access"}, login)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	tokens := func(c bank.Client) oauth.Tokens {
		t.Helper()
		tok, err := o.Exchange(ctx, c, grant(c), cb, "")
		if err != nil || tok.Refresh == "" {
			t.Fatalf("exchange for %s: %+v %v", c.ID, tok, err)
		}
		return tok
	}
	appTok, otherTok := tokens(app), tokens(other)
	pending := grant(app) // issued before the revocation, redeemed after

	if err := o.RevokeConsent(ctx, ann.ID, "app"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Refresh(ctx, app, appTok.Refresh); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("the revoked client's refresh token: %v, want invalid_grant", err)
	}
	if _, err := o.Exchange(ctx, app, pending, cb, ""); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("a code issued before the revocation: %v, want invalid_grant", err)
	}
	if _, err := o.Refresh(ctx, other, otherTok.Refresh); err != nil {
		t.Errorf("another client's refresh token after the revocation: %v", err)
	}
	live, err := e.Identity.Sessions(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range live {
		if s.ClientID == "app" {
			t.Errorf("a session of the revoked client is live: %+v", s)
		}
	}
	if err := o.RevokeConsent(ctx, ann.ID, "app"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("revoking twice: %v, want not found", err)
	}
}
