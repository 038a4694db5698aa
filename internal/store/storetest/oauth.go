package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// The standard door's storage (oauth.Records): client metadata in the
// shared registry, authorization requests, codes and consents.

func newAuthCode(t *testing.T, st sqlstore.Backend, userID int64, code string, expires time.Time) oauth.Code {
	t.Helper()
	c := oauth.Code{Hash: hash(code), ClientID: "app", UserID: userID, RedirectURI: "https://app.test/cb",
		Scope: "openid email", Nonce: "n-1", Challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		AuthTime: at(-time.Minute), AMR: []string{"pwd", "otp"}, ACR: "mfa", BrowserSID: "web-sid",
		UserAgent: "Firefox", IP: "192.0.2.1", CreatedAt: t0, ExpiresAt: expires}
	noErr(t, "InsertAuthCode", st.InsertAuthCode(ctx, &c))
	return c
}

var oauthTests = []test{
	{"a client's RFC 7591 metadata round-trips beside the bank's fields", func(t *testing.T, st sqlstore.Backend) {
		c := bank.Client{ID: "app", Name: "App", SecretHash: hash("s"), GrantTypes: []string{"authorization_code", "refresh_token"},
			UserTypes: []string{"customer"}, Origins: []string{}, Metadata: bank.Metadata{
				RedirectURIs: []string{"https://app.test/cb", "http://127.0.0.1:9/cb"}, PostLogoutRedirectURIs: []string{"https://app.test/"},
				ResponseTypes: []string{"code"}, AuthMethod: "client_secret_post", Scope: "openid email",
				JWKS: `{"keys":[]}`, SkipConsent: true, Resources: []string{"https://api.test"}, IDTokenAlg: "ES256"},
			CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "CreateClient", st.CreateClient(ctx, &c))
		got, err := st.ClientByID(ctx, "app")
		noErr(t, "ClientByID", err)
		same(t, "client", got, c)
		up, err := st.UpdateClient(ctx, "app", func(x *bank.Client) error { x.SkipConsent, x.RedirectURIs = false, nil; return nil })
		noErr(t, "UpdateClient", err)
		got, _ = st.ClientByID(ctx, "app")
		same(t, "updated client", got, up)
		if got.SkipConsent || got.RedirectURIs != nil || got.Scope != "openid email" {
			t.Fatalf("update kept the wrong fields: %+v", got.Metadata)
		}
	}},
	{"an authorization request is kept by id, refused twice, and deleted", func(t *testing.T, st sqlstore.Backend) {
		r := oauth.Request{ID: "req-1", ClientID: "app", RedirectURI: "https://app.test/cb", ResponseType: "code",
			Scope: "openid", State: "st", Nonce: "n", CodeChallenge: "ch", CodeChallengeMethod: "S256", Prompt: "login",
			MaxAge: 60, LoginHint: "ann@example.com", ConsentedBy: "c", DeniedBy: "d", CreatedAt: t0, ExpiresAt: at(10 * time.Minute)}
		noErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, &r))
		wantErr(t, "PutAuthRequest again", st.PutAuthRequest(ctx, &r), core.ErrExists)
		got, err := st.AuthRequestByID(ctx, "req-1")
		noErr(t, "AuthRequestByID", err)
		same(t, "request", got, r)
		noErr(t, "DeleteAuthRequest", st.DeleteAuthRequest(ctx, "req-1"))
		_, err = st.AuthRequestByID(ctx, "req-1")
		wantErr(t, "AuthRequestByID after delete", err, core.ErrNotFound)
		wantErr(t, "DeleteAuthRequest again", st.DeleteAuthRequest(ctx, "req-1"), core.ErrNotFound)
	}},
	{"a code redeems once; a second presentation marks the reuse and sees the bound session", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		c := newAuthCode(t, st, u.ID, "code-1", at(time.Minute))
		wantErr(t, "InsertAuthCode again", st.InsertAuthCode(ctx, &c), core.ErrExists)
		got, first, err := st.RedeemCode(ctx, hash("code-1"), at(time.Second))
		noErr(t, "RedeemCode", err)
		if !first || got.UsedAt == nil || !got.UsedAt.Equal(at(time.Second)) || got.ReusedAt != nil {
			t.Fatalf("first redemption: first=%v used=%v reused=%v", first, got.UsedAt, got.ReusedAt)
		}
		got.UsedAt = nil
		same(t, "redeemed code", got, c)
		reused, err := st.BindCodeSession(ctx, hash("code-1"), "grant-sid")
		noErr(t, "BindCodeSession", err)
		if reused {
			t.Fatal("a code presented once reads as reused")
		}
		got, first, err = st.RedeemCode(ctx, hash("code-1"), at(2*time.Second))
		noErr(t, "RedeemCode again", err)
		if first || got.SessionID != "grant-sid" || got.ReusedAt == nil || !got.ReusedAt.Equal(at(2*time.Second)) {
			t.Fatalf("second presentation: first=%v session=%q reused=%v", first, got.SessionID, got.ReusedAt)
		}
		got, _, _ = st.RedeemCode(ctx, hash("code-1"), at(3*time.Second))
		if !got.ReusedAt.Equal(at(2 * time.Second)) {
			t.Fatalf("a third presentation moved the first reuse to %v", got.ReusedAt)
		}
		_, _, err = st.RedeemCode(ctx, hash("nope"), t0)
		wantErr(t, "RedeemCode of an unknown code", err, core.ErrNotFound)
		_, err = st.BindCodeSession(ctx, hash("nope"), "x")
		wantErr(t, "BindCodeSession of an unknown code", err, core.ErrNotFound)
	}},
	{"an expired code never redeems and stays unused", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newAuthCode(t, st, u.ID, "code-1", at(time.Minute))
		got, first, err := st.RedeemCode(ctx, hash("code-1"), at(time.Minute))
		noErr(t, "RedeemCode", err)
		if first || got.UsedAt != nil || got.ReusedAt != nil {
			t.Fatalf("expired code: first=%v used=%v reused=%v", first, got.UsedAt, got.ReusedAt)
		}
	}},
	{"a reuse between the redemption and its binding is seen by the binding", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newAuthCode(t, st, u.ID, "code-1", at(time.Minute))
		_, first, _ := st.RedeemCode(ctx, hash("code-1"), at(time.Second))
		got, second, err := st.RedeemCode(ctx, hash("code-1"), at(time.Second))
		noErr(t, "RedeemCode again", err)
		if !first || second || got.SessionID != "" {
			t.Fatalf("first=%v second=%v session=%q", first, second, got.SessionID)
		}
		reused, err := st.BindCodeSession(ctx, hash("code-1"), "grant-sid")
		noErr(t, "BindCodeSession", err)
		if !reused {
			t.Fatal("the binding did not see the reuse: the grant's session would survive it")
		}
	}},
	{"racing redemptions of one code: exactly one is first", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newAuthCode(t, st, u.ID, "code-1", at(time.Minute))
		var firsts, errs atomic.Int32
		race(func(int) {
			_, first, err := st.RedeemCode(ctx, hash("code-1"), at(time.Second))
			if err != nil {
				errs.Add(1)
				t.Errorf("RedeemCode: %v", err)
			}
			if first {
				firsts.Add(1)
			}
		})
		if firsts.Load() != 1 || errs.Load() != 0 {
			t.Fatalf("%d racing redemptions: %d first, %d errors; want exactly 1 first", racers, firsts.Load(), errs.Load())
		}
		got, _, _ := st.RedeemCode(ctx, hash("code-1"), at(time.Second))
		if got.ReusedAt == nil {
			t.Fatal("the losers of the race did not mark the reuse")
		}
	}},
	{"consents are one per user and client, replaced, listed and deleted", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		c := oauth.Consent{UserID: u.ID, ClientID: "app", Scope: "openid", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "PutConsent", st.PutConsent(ctx, &c))
		c2 := oauth.Consent{UserID: u.ID, ClientID: "app", Scope: "openid email", CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
		noErr(t, "PutConsent again", st.PutConsent(ctx, &c2))
		got, err := st.ConsentOf(ctx, u.ID, "app")
		noErr(t, "ConsentOf", err)
		same(t, "replaced consent", got, oauth.Consent{UserID: u.ID, ClientID: "app", Scope: "openid email", CreatedAt: t0, UpdatedAt: at(time.Hour)})
		noErr(t, "PutConsent other", st.PutConsent(ctx, &oauth.Consent{UserID: u.ID, ClientID: "a-first", Scope: "openid", CreatedAt: t0, UpdatedAt: t0}))
		list, err := st.ConsentsOf(ctx, u.ID)
		noErr(t, "ConsentsOf", err)
		if len(list) != 2 || list[0].ClientID != "a-first" || list[1].ClientID != "app" {
			t.Fatalf("ConsentsOf = %+v", list)
		}
		wantErr(t, "PutConsent of no user", st.PutConsent(ctx, &oauth.Consent{UserID: u.ID + 100, ClientID: "app", CreatedAt: t0, UpdatedAt: t0}), core.ErrNotFound)
		noErr(t, "DeleteConsent", st.DeleteConsent(ctx, u.ID, "app"))
		_, err = st.ConsentOf(ctx, u.ID, "app")
		wantErr(t, "ConsentOf after delete", err, core.ErrNotFound)
		wantErr(t, "DeleteConsent again", st.DeleteConsent(ctx, u.ID, "app"), core.ErrNotFound)
	}},
	{"the purge deletes expired requests and codes, and keeps live ones", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		newAuthCode(t, st, u.ID, "old", at(time.Minute))
		newAuthCode(t, st, u.ID, "live", at(time.Hour))
		noErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, &oauth.Request{ID: "old", ClientID: "app", CreatedAt: t0, ExpiresAt: at(time.Minute)}))
		noErr(t, "PutAuthRequest", st.PutAuthRequest(ctx, &oauth.Request{ID: "live", ClientID: "app", CreatedAt: t0, ExpiresAt: at(time.Hour)}))
		noErr(t, "PurgeOAuth", st.PurgeOAuth(ctx, at(2*time.Minute)))
		_, _, err := st.RedeemCode(ctx, hash("old"), t0)
		wantErr(t, "expired code after purge", err, core.ErrNotFound)
		_, err = st.AuthRequestByID(ctx, "old")
		wantErr(t, "expired request after purge", err, core.ErrNotFound)
		_, first, err := st.RedeemCode(ctx, hash("live"), at(2*time.Minute))
		noErr(t, "live code after purge", err)
		if !first {
			t.Fatal("the live code did not redeem after the purge")
		}
		_, err = st.AuthRequestByID(ctx, "live")
		noErr(t, "live request after purge", err)
	}},
}
