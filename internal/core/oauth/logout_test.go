package oauth_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

const bye = "https://app.example/bye"

// signedInGrant signs u in in a browser (a web session), and gives client
// a grant of that sign-in: the web session, and the grant's tokens.
func signedInGrant(t *testing.T, e *coretest.Env, u identity.User, web identity.Session, clientID string) oauth.Tokens {
	t.Helper()
	o := e.App.OAuth
	code, err := o.IssueCode(ctx, oauth.Request{ClientID: clientID, RedirectURI: cb, Scope: "openid offline_access"},
		oauth.Login{AccountID: u.UUID, SessionID: web.ID, AuthTime: e.Clock.Now(), AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Bank.Client(ctx, clientID)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := o.Exchange(ctx, c, code, cb, "")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func logoutEnv(t *testing.T) (*coretest.Env, identity.User, identity.Session) {
	e := coretest.New(t)
	for _, id := range []string{"app", "other"} {
		client(t, e, bank.ClientSpec{ID: id, Confidential: true, Metadata: bank.Metadata{RedirectURIs: []string{cb},
			PostLogoutRedirectURIs: []string{bye}, Scope: "openid offline_access", SkipConsent: true}})
	}
	u, err := e.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: identity.WebDoor, AMR: []string{"pwd"}})
	if err != nil {
		t.Fatal(err)
	}
	return e, u, pair.Session
}

func TestALogoutRequestIsJudgedBeforeAnythingEnds(t *testing.T) {
	e, u, web := logoutEnv(t)
	hint := signedInGrant(t, e, u, web, "app").IDToken
	access := signedInGrant(t, e, u, web, "app").Access
	for _, c := range []struct {
		name string
		req  oauth.LogoutRequest
		want error
	}{
		{"a hint and a registered redirect", oauth.LogoutRequest{IDTokenHint: hint, PostLogoutRedirectURI: bye}, nil},
		{"client_id and a registered redirect", oauth.LogoutRequest{ClientID: "app", PostLogoutRedirectURI: bye}, nil},
		{"nothing at all", oauth.LogoutRequest{}, nil},
		{"a redirect without a client", oauth.LogoutRequest{PostLogoutRedirectURI: bye}, core.Invalid("invalid_request", "", "")},
		{"a redirect not registered", oauth.LogoutRequest{IDTokenHint: hint, PostLogoutRedirectURI: bye + "/"}, core.ErrRedirectURI},
		{"a redirect registered for the sign-in only", oauth.LogoutRequest{ClientID: "app", PostLogoutRedirectURI: cb}, core.ErrRedirectURI},
		{"an unknown client", oauth.LogoutRequest{ClientID: "nobody"}, core.ErrInvalidClient},
		{"a client_id other than the hint's", oauth.LogoutRequest{IDTokenHint: hint, ClientID: "other"}, core.ErrInvalidClient},
		{"a hint that is no token", oauth.LogoutRequest{IDTokenHint: "x.y.z"}, core.ErrInvalidToken},
		{"a hint with a changed signature", oauth.LogoutRequest{IDTokenHint: hint[:len(hint)-4] + "AAAA"}, core.ErrInvalidToken},
		{"an access token as the hint", oauth.LogoutRequest{IDTokenHint: access}, core.ErrInvalidToken},
		{"a state that is no text", oauth.LogoutRequest{State: "a\x00b"}, core.Invalid("invalid_request", "", "")},
	} {
		l, err := e.App.OAuth.CheckLogout(ctx, c.req)
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != nil && codeOf(err) != codeOf(c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		case c.want == nil && c.req.PostLogoutRedirectURI != "" && l.RedirectURI != bye:
			t.Errorf("%s: redirect %q", c.name, l.RedirectURI)
		}
	}
	l, err := e.App.OAuth.CheckLogout(ctx, oauth.LogoutRequest{IDTokenHint: hint})
	if err != nil || !l.Hinted || l.Client.ID != "app" || l.Subject != u.UUID || l.SessionID != web.ID {
		t.Fatalf("the hint's claims: %+v %v", l, err)
	}
	if live, _ := e.Identity.Sessions(ctx, u.ID); len(live) != 3 {
		t.Errorf("judging changed the sessions: %d live, want the web session and two grants", len(live))
	}
}

func TestAnExpiredHintIsStillAHint(t *testing.T) {
	e, u, web := logoutEnv(t)
	hint := signedInGrant(t, e, u, web, "app").IDToken
	e.Clock.Advance(48 * 3600e9)
	if l, err := e.App.OAuth.CheckLogout(ctx, oauth.LogoutRequest{IDTokenHint: hint}); err != nil || !l.Hinted {
		t.Fatalf("an expired id_token as a hint: %+v %v", l, err)
	}
}

func TestLogoutEndsTheWebSessionAndThatClientsGrantsOfThatSignIn(t *testing.T) {
	e, u, web := logoutEnv(t)
	app := signedInGrant(t, e, u, web, "app")
	other := signedInGrant(t, e, u, web, "other")
	elsewhere, err := e.Identity.StartSession(ctx, u, identity.SessionSpec{Door: identity.WebDoor})
	if err != nil {
		t.Fatal(err)
	}
	appElsewhere := signedInGrant(t, e, u, elsewhere.Session, "app")

	l, err := e.App.OAuth.CheckLogout(ctx, oauth.LogoutRequest{IDTokenHint: app.IDToken, PostLogoutRedirectURI: bye})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.OAuth.EndLogout(ctx, l, u.ID, web.ID); err != nil {
		t.Fatal(err)
	}
	o := e.App.OAuth
	refresh := func(clientID, token string) error {
		c, _ := e.Bank.Client(ctx, clientID)
		_, err := o.Refresh(ctx, c, token)
		return err
	}
	if err := refresh("app", app.Refresh); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("the logged-out grant's refresh token: %v, want invalid_grant", err)
	}
	if err := refresh("other", other.Refresh); err != nil {
		t.Errorf("another client's grant of the same sign-in: %v, want it live", err)
	}
	if err := refresh("app", appElsewhere.Refresh); err != nil {
		t.Errorf("the client's grant of another sign-in: %v, want it live", err)
	}
	live, _ := e.Identity.Sessions(ctx, u.ID)
	for _, s := range live {
		if s.ID == web.ID {
			t.Error("the web session is still live")
		}
	}
	events, _, err := e.Identity.AuditLog(ctx, identity.AuditFilter{UserID: u.ID, Type: identity.AuditSessionRevoked})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, ev := range events {
		reasons[ev.Detail["reason"]]++
	}
	if reasons["rp-initiated logout"] != 1 || reasons["logout"] != 1 {
		t.Errorf("audit reasons %v, want one rp-initiated logout (the grant) and one logout (the web session)", reasons)
	}
}

func TestAHintAloneEndsItsSignInsGrantsWhenTheBrowserHoldsNoSession(t *testing.T) {
	e, u, web := logoutEnv(t)
	app := signedInGrant(t, e, u, web, "app")
	l, err := e.App.OAuth.CheckLogout(ctx, oauth.LogoutRequest{IDTokenHint: app.IDToken})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.OAuth.EndLogout(ctx, l, 0, ""); err != nil {
		t.Fatal(err)
	}
	c, _ := e.Bank.Client(ctx, "app")
	if _, err := e.App.OAuth.Refresh(ctx, c, app.Refresh); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("the hinted sign-in's grant: %v, want it ended", err)
	}
}
