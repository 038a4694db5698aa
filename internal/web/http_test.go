package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// browserless is a plain HTTP client with a cookie jar that follows no
// redirect, doing what the pages' script does (encryption) in Go.
type browserless struct {
	t   *testing.T
	e   *testenv.Env
	c   *http.Client
	key *rsa.PublicKey
}

func newBrowserless(t *testing.T, e *testenv.Env) *browserless {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r := e.Do("GET", "/auth/oauth/public-key", nil)
	key, err := testenv.CredentialKey(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &browserless{t: t, e: e, c: c, key: key}
}

func (b *browserless) enc(s string) string {
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, b.key, []byte(s), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ct)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns it with its CSRF token.
func (b *browserless) get(path string) (*http.Response, string, string) {
	b.t.Helper()
	res, err := b.c.Get(b.e.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	tok := ""
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		tok = m[1]
	}
	return res, string(body), tok
}

func (b *browserless) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.e.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// signIn posts the sign-in form with continue and answers where it went.
func (b *browserless) signIn(email, password, next string) *http.Response {
	b.t.Helper()
	_, _, tok := b.get("/login")
	res, body := b.post("/login", url.Values{"csrf": {tok}, "continue": {next},
		"login_enc": {b.enc(email)}, "password_enc": {b.enc(password)}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in: %d %s", res.StatusCode, body)
	}
	return res
}

func TestEveryPageCarriesTheSecurityHeaders(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	b := newBrowserless(t, e)
	for _, path := range []string{"/login", "/register", "/forgot", "/reset", "/login/code", "/account"} {
		res, _, _ := b.get(path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		for name, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
	}
}

func TestCookiesAreHttpOnlyLaxAndOverHTTPSSecureWithTheHostPrefix(t *testing.T) {
	for _, c := range []struct {
		public string
		name   string
		secure bool
	}{{"", "gh_csrf", false}, {"https://id.example.com", "__Host-gh_csrf", true}} {
		e := testenv.New(t, testenv.Options{Config: func(cfg *config.Config) {
			if c.public != "" {
				cfg.PublicURL = c.public
			}
		}})
		res, err := e.Client.Get(e.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var got *http.Cookie
		for _, k := range res.Cookies() {
			if strings.HasSuffix(k.Name, "gh_csrf") {
				got = k
			}
		}
		if got == nil || got.Name != c.name || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Secure != c.secure || got.Path != "/" || got.Domain != "" {
			t.Errorf("public URL %q: CSRF cookie %+v, want %s HttpOnly Lax Secure=%v Path=/ no Domain", c.public, got, c.name, c.secure)
		}
	}
}

func TestASignInContinuesOnlyToThisServersPages(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	password := webtest.Account(t, e, "hal@example.com")
	for next, want := range map[string]string{
		"/oauth2/authorize?request_id=r1": "/oauth2/authorize?request_id=r1",
		"/admin":                          "/admin",
		"https://evil.example/":           "/account",
		"//evil.example":                  "/account",
		"/\\evil.example":                 "/account",
		"/%2F%2Fevil.example":             "/account",
		"/account/../../evil":             "/account",
	} {
		b := newBrowserless(t, e)
		if got := b.signIn("hal@example.com", password, next).Header.Get("Location"); got != want {
			t.Errorf("continue=%q: 303 to %q, want %q", next, got, want)
		}
	}
	// A signed-in browser opening the sign-in page is sent on the same way.
	b := newBrowserless(t, e)
	b.signIn("hal@example.com", password, "")
	res, _, _ := b.get("/login?continue=" + url.QueryEscape("https://evil.example/"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Errorf("signed in, /login?continue=https://evil.example/ answers %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// prompt=login shows the form again.
	if res, _, _ := b.get("/login?prompt=login&login_hint=hal%40example.com"); res.StatusCode != http.StatusOK {
		t.Errorf("prompt=login answers %d, want the form", res.StatusCode)
	}
}

func TestASignInWithoutEncryptionOrTokenChangesNothing(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	password := webtest.Account(t, e, "ida@example.com")
	b := newBrowserless(t, e)
	_, _, tok := b.get("/login")
	// No token: refused before anything is read.
	res, body := b.post("/login", url.Values{"login_enc": {b.enc("ida@example.com")}, "password_enc": {b.enc(password)}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "another site") {
		t.Fatalf("a sign-in without its CSRF token: %d", res.StatusCode)
	}
	// The credentials in clear (a browser without JavaScript sends no
	// secret at all; a hand-made form that sends one is not read).
	res, body = b.post("/login", url.Values{"csrf": {tok}, "email": {"ida@example.com"}, "password": {password}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "needs JavaScript") {
		t.Fatalf("a sign-in in clear: %d %s", res.StatusCode, body)
	}
	// A replayed ciphertext fails as a wrong password does.
	encPass := b.enc(password)
	b.post("/login", url.Values{"csrf": {tok}, "login_enc": {b.enc("ida@example.com")}, "password_enc": {encPass}})
	b2 := newBrowserless(t, e)
	_, _, tok2 := b2.get("/login")
	res, body = b2.post("/login", url.Values{"csrf": {tok2}, "login_enc": {b.enc("ida@example.com")}, "password_enc": {encPass}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong e-mail or password") {
		t.Fatalf("a replayed password ciphertext: %d", res.StatusCode)
	}
	// Cross-site: a browser's form POST from another origin.
	req, _ := http.NewRequest("POST", e.URL+"/logout", strings.NewReader("csrf="+url.QueryEscape(tok)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site POST: %d, want 403", res.StatusCode)
	}
}
