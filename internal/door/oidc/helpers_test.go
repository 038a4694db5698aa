package oidc_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/door/oidc"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// sessionCookie carries a platform sign-in's access token: until the
// hosted pages exist, a browser "signs in" by holding a real core session
// opened through identity (the platform door's /v1/auth/login).
const sessionCookie = "test_session"

// sessionBrowser is the door's Browser over that cookie: the session is
// verified by identity like any first-party token, never faked.
type sessionBrowser struct {
	id atomic.Pointer[identity.Service]
}

func (b *sessionBrowser) SignedIn(r *http.Request) (oidc.Login, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return oidc.Login{}, false
	}
	p, err := b.id.Load().VerifyAccess(r.Context(), c.Value, identity.VerifyOptions{})
	if err != nil {
		return oidc.Login{}, false
	}
	return oidc.Login{AccountID: p.User.UUID, SessionID: p.Session.ID, AuthTime: identity.AuthTime(p.Session),
		AMR: []string{"pwd"}}, true
}

// rp is a Gatehouse with the standard door's browser wired, and an HTTP
// client that checks every answer against api/openapi.yaml, for the
// relying-party libraries to use.
type rp struct {
	*testenv.Env
	t      *testing.T
	spec   *http.Client
	cookie *http.Cookie
}

func newRP(t *testing.T, b testenv.Backend) *rp {
	br := &sessionBrowser{}
	e := testenv.New(t, testenv.Options{Backend: b, Browser: br})
	br.id.Store(e.Srv.Identity)
	return &rp{Env: e, t: t, spec: &http.Client{Transport: specChecked{t: t, e: e}}}
}

// specChecked is a transport that checks each answer against the spec.
type specChecked struct {
	t testing.TB
	e *testenv.Env
}

func (s specChecked) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	testenv.CheckAgainstSpec(s.t, s.e.Config.SourceList(), req, res.StatusCode, res.Header, body)
	return res, nil
}

func (r *rp) ctx() context.Context { return context.Background() }

// client registers a client through the bank domain's registry (the one
// the admin API writes) and returns its secret.
func (r *rp) client(spec bank.ClientSpec) string {
	r.t.Helper()
	_, secret, err := r.Srv.Bank.CreateClient(r.ctx(), spec)
	if err != nil {
		r.t.Fatalf("CreateClient(%s): %v", spec.ID, err)
	}
	return secret
}

// signUp registers and confirms ann and signs her in at the platform door;
// the browser holds that session from then on.
func (r *rp) signUp(email, password string) (uuid string) {
	r.t.Helper()
	res := r.Do("POST", "/v1/user", map[string]string{"login": email, "password": password})
	if res.Status != 201 {
		r.t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	uuid = res.Map(r.t)["id"].(string)
	code := r.Mail.Next(r.t, testenv.MailTimeout).Secret(r.t)
	if res := r.Do("GET", "/v1/user/confirm/"+code, nil); res.Status != 200 {
		r.t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	res = r.Do("POST", "/v1/auth/login", map[string]string{"username": email, "password": password})
	if res.Status != 200 {
		r.t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	r.cookie = &http.Cookie{Name: sessionCookie, Value: res.Map(r.t)["access_token"].(string)}
	return uuid
}

// browse requests u as a browser would, without following redirects, and
// checks the answer against the spec; signedIn sends the session cookie.
func (r *rp) browse(u string, signedIn bool) *http.Response {
	r.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: specChecked{t: r.t, e: r.Env},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if !strings.HasPrefix(u, "http") {
		u = r.URL + u
	}
	req, _ := http.NewRequest("GET", u, nil)
	if signedIn && r.cookie != nil {
		req.AddCookie(r.cookie)
	}
	res, err := c.Do(req)
	if err != nil {
		r.t.Fatalf("GET %s: %v", u, err)
	}
	res.Body.Close()
	return res
}

// location parses the Location of a redirect, failing unless it is one.
func location(t *testing.T, res *http.Response) *url.URL {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer %d, want a 303 redirect", res.StatusCode)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", res.Header.Get("Location"), err)
	}
	return u
}

// form posts a form with optional Basic credentials through the spec
// check and returns the status and decoded JSON.
func (r *rp) form(path string, v url.Values, id, secret string) (int, map[string]any) {
	r.t.Helper()
	req, _ := http.NewRequest("POST", r.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	res, err := r.spec.Do(req)
	if err != nil {
		r.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	m := map[string]any{}
	if b, _ := io.ReadAll(res.Body); len(b) > 0 {
		(&testenv.Response{Body: b}).JSON(r.t, &m)
	}
	return res.StatusCode, m
}
