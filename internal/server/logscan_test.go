package server_test

import (
	"bytes"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoSecretReachesTheLogsOrTheErrors runs every kind of request, good
// and bad, and a database failure, collecting each secret that crossed the
// wire (passwords, codes, tokens, the admin token), then scans everything
// the server logged and every error it answered.
func TestNoSecretReachesTheLogsOrTheErrors(t *testing.T) {
	var logs lockedBuffer
	armed := &atomic.Bool{}
	fail := func() error { return &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET} }
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		c.RateLimits, c.RateLimitRules = "on", "login=100/6/0"
		c.LockoutPairThreshold, c.LockoutAccountThreshold = 3, 3
	}, func(o *testenv.Options) {
		o.Log = &logs
		o.WrapStore = func(s sqlstore.Backend) sqlstore.Backend { return faultStore{s, armed, fail} }
	})
	secrets := []string{adminToken}
	var errorBodies []string
	do := func(method, path string, body any, hdr ...string) *testenv.Response {
		r := e.Do(method, path, body, hdr...)
		if r.Status >= 400 {
			errorBodies = append(errorBodies, string(r.Body))
		}
		return r
	}
	pw := func(s string) string { secrets = append(secrets, s); return s }

	do("POST", "/v1/user", map[string]string{"login": "nia@example.com", "password": pw("nia's password 1")})
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	secrets = append(secrets, code)
	do("GET", "/v1/user/confirm/"+code, nil)
	do("GET", "/v1/user/confirm/"+pw("a-guessed-code-in-the-path"), nil)
	for i := 0; i < 5; i++ { // failures, backoff, lock, subject limit
		do("POST", "/v1/auth/login", map[string]string{"username": "nia@example.com", "password": pw("guess " + string(rune('a'+i)))}, from("203.0.113.1", "bot")...)
	}
	e.Mail.Next(t, testenv.MailTimeout) // the lock notice
	do("POST", "/v1/user/password/restore", map[string]string{"email": "nia@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	secrets = append(secrets, token)
	do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": pw("nia's password 2")})
	do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": pw("nia's password 3")})
	r := do("POST", "/v1/auth/login", map[string]string{"username": "nia@example.com", "password": "nia's password 2"}, from("198.51.100.1", "ok")...)
	var p pair
	r.JSON(t, &p)
	if p.AccessToken == "" {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	secrets = append(secrets, p.AccessToken, p.RefreshToken)
	r = do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken})
	var p2 pair
	r.JSON(t, &p2)
	secrets = append(secrets, p2.AccessToken, p2.RefreshToken)
	e.Clock.Advance(time.Minute)
	do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}) // reuse
	do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...)
	do("GET", "/v1/user/profile", nil, bearer(pw("forged.token.value"))...)
	// Credentials in a query string (as the bank door's seed sends them).
	e.DoRaw("POST", "/v1/auth/login?username=nia@example.com&password="+url.QueryEscape(pw("query string secret")), `{}`)
	// A database failure in the middle of a sign-up.
	armed.Store(true)
	if r := do("POST", "/v1/user", map[string]string{"login": "oz@example.com", "password": pw("oz's password 1")}); r.Status != 503 {
		t.Fatalf("fault: %d", r.Status)
	}
	do("GET", "/admin/v1/users", nil, bearer(adminToken)...)
	do("GET", "/admin/v1/audit", nil, bearer(adminToken)...)
	do("GET", "/admin/v1/audit", nil, bearer(pw("not-the-admin-token"))...)
	do("POST", "/admin/v1/users/nia@example.com/unlock", nil, bearer(adminToken)...)

	text := logs.String()
	if !strings.Contains(text, "route=\"POST /v1/auth/login\"") || !strings.Contains(text, "dependency unavailable") {
		t.Fatalf("the run logged too little to be a fair test:\n%s", text)
	}
	scanForSecrets(t, text, secrets, errorBodies)
}

// scanForSecrets fails for each secret (as is, query- or path-escaped)
// found in the log text or in an error answer.
func scanForSecrets(t *testing.T, text string, secrets, errorBodies []string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			t.Fatal("an empty secret: the run did not get that far")
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if strings.Contains(text, form) {
				t.Errorf("the log carries the secret %q", s)
			}
			for _, b := range errorBodies {
				if strings.Contains(b, form) {
					t.Errorf("an error answer carries the secret %q: %s", s, b)
				}
			}
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", text)
	}
}
